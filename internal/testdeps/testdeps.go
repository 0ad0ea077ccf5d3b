package testdeps

import (
	"os"
	"os/exec"
	"testing"
)

// RequireEnv is the environment variable that turns missing dependencies from skips
// into failures.
const RequireEnv = "OUTDIAL_REQUIRE_DEPS"

// DatabaseURLEnv names the PostgreSQL server that store tests run against.
const DatabaseURLEnv = "OUTDIAL_TEST_DATABASE_URL"

// Required reports whether missing dependencies must fail tests rather than skip them.
func Required() bool { return os.Getenv(RequireEnv) == "1" }

// Missing skips t, or fails it when dependencies are required, explaining what is absent.
func Missing(t testing.TB, what string) {
	t.Helper()
	msg := what + " is not available; run scripts/install-deps.sh (as root) to install it"
	if Required() {
		t.Fatalf("%s (%s=1 makes this a failure)", msg, RequireEnv)
	}
	t.Skip(msg)
}

// Program returns the path of the named program, or skips/fails t when it is not on PATH.
func Program(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, "program "+name)
	}
	return p
}

// PostgresURL returns the URL of the test PostgreSQL server from OUTDIAL_TEST_DATABASE_URL,
// or skips/fails t when it is not set.
func PostgresURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(DatabaseURLEnv)
	if u == "" {
		Missing(t, "PostgreSQL ("+DatabaseURLEnv+" unset)")
	}
	return u
}
