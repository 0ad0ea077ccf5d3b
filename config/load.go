package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// EnvPrefix starts every environment variable that overrides a key.
const EnvPrefix = "OUTDIAL_"

// Load builds the effective configuration: defaults, then the YAML file at path (when
// path is not empty), then environment variables from environ (os.Environ() form), then
// the flag overrides (key path -> value, e.g. "server.listen" -> ":9090"). The result
// is validated.
func Load(path string, environ []string, overrides map[string]string) (Config, error) {
	cfg := Default()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("config: read %s: %w", path, err)
		}
		if err := decodeYAML(b, &cfg); err != nil {
			return Config{}, fmt.Errorf("config: %s: %w", path, err)
		}
	}
	if err := applyEnv(&cfg, environ); err != nil {
		return Config{}, err
	}
	keys := make([]string, 0, len(overrides))
	for k := range overrides {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := Set(&cfg, k, overrides[k]); err != nil {
			return Config{}, err
		}
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

func decodeYAML(b []byte, cfg *Config) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		if strings.Contains(err.Error(), "not found in type") {
			return fmt.Errorf("%w: %v", ErrUnknownKey, err)
		}
		return err
	}
	return nil
}

func applyEnv(cfg *Config, environ []string) error {
	byEnv := map[string]string{}
	for _, k := range Keys() {
		byEnv[EnvName(k)] = k
	}
	for _, kv := range environ {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, EnvPrefix) {
			continue
		}
		key, known := byEnv[name]
		if !known {
			if isReservedEnv(name) {
				continue
			}
			return fmt.Errorf("%w: environment variable %s matches no configuration key (see outdial config print)", ErrUnknownKey, name)
		}
		if err := Set(cfg, key, val); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

// isReservedEnv reports OUTDIAL_ variables that are not configuration keys (test
// switches and the like).
func isReservedEnv(name string) bool {
	switch name {
	case "OUTDIAL_REQUIRE_DEPS", "OUTDIAL_NEW_PASSWORD", "OUTDIAL_ARTIFACTS", "OUTDIAL_TOKEN", "OUTDIAL_SERVER", "OUTDIAL_TRUNK_PASSWORD",
		"OUTDIAL_AMD_CORPUS_COUNT":
		return true
	}
	return strings.HasPrefix(name, "OUTDIAL_TEST_") || strings.HasPrefix(name, "OUTDIAL_MEDIA_")
}

// EnvName is the environment variable that overrides key.
func EnvName(key string) string {
	return EnvPrefix + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// Keys lists every key path, in declaration order.
func Keys() []string {
	var keys []string
	walk(reflect.ValueOf(Default()), "", func(path string, _ reflect.Value, _ reflect.StructField) {
		keys = append(keys, path)
	})
	return keys
}

func walk(v reflect.Value, prefix string, fn func(path string, v reflect.Value, f reflect.StructField)) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := strings.Split(f.Tag.Get("yaml"), ",")[0]
		path := name
		if prefix != "" {
			path = prefix + "." + name
		}
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Duration(0)) {
			walk(v.Field(i), path, fn)
			continue
		}
		fn(path, v.Field(i), f)
	}
}

// Set assigns the textual value to key in cfg. It does not validate ranges.
func Set(cfg *Config, key, value string) error {
	var found bool
	var err error
	walk(reflect.ValueOf(cfg).Elem(), "", func(path string, v reflect.Value, _ reflect.StructField) {
		if path != key || found {
			return
		}
		found = true
		err = setValue(v, value)
		if err != nil {
			err = fmt.Errorf("%w: %s: %v", ErrInvalid, key, err)
		}
	})
	if !found {
		return fmt.Errorf("%w: %q", ErrUnknownKey, key)
	}
	return err
}

func setValue(v reflect.Value, s string) error {
	s = strings.TrimSpace(s)
	switch {
	case v.Type() == reflect.TypeOf(time.Duration(0)):
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("%q is not a duration; write it like 10s or 1m30s", s)
		}
		v.SetInt(int64(d))
	case v.Kind() == reflect.String:
		v.SetString(s)
	case v.Kind() == reflect.Int || v.Kind() == reflect.Int64:
		n, err := strconv.ParseInt(strings.ReplaceAll(s, "_", ""), 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", s)
		}
		v.SetInt(n)
	case v.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return fmt.Errorf("%q is not true or false", s)
		}
		v.SetBool(b)
	default:
		return fmt.Errorf("unsupported type %s", v.Type())
	}
	return nil
}

// Masked returns a copy of cfg with every secret replaced by "****" (and the password
// inside database URLs), for printing.
func (c Config) Masked() Config {
	walk(reflect.ValueOf(&c).Elem(), "", func(_ string, v reflect.Value, f reflect.StructField) {
		switch f.Tag.Get("secret") {
		case "all":
			if v.String() != "" {
				v.SetString("****")
			}
		case "password":
			v.SetString(maskURLPassword(v.String()))
		}
	})
	return c
}

// maskURLPassword hides the password of a URL such as postgres://user:pw@host/db.
func maskURLPassword(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return masqueradeQueryPassword(u)
	}
	userinfo := rest[:at]
	if user, _, hasPw := strings.Cut(userinfo, ":"); hasPw {
		return masqueradeQueryPassword(scheme + "://" + user + ":****" + rest[at:])
	}
	return masqueradeQueryPassword(u)
}

func masqueradeQueryPassword(u string) string {
	base, q, ok := strings.Cut(u, "?")
	if !ok {
		return u
	}
	parts := strings.Split(q, "&")
	for i, p := range parts {
		if k, _, ok := strings.Cut(p, "="); ok && strings.EqualFold(k, "password") {
			parts[i] = k + "=****"
		}
	}
	return base + "?" + strings.Join(parts, "&")
}

// YAML renders cfg as YAML.
func (c Config) YAML() ([]byte, error) {
	return yaml.Marshal(c)
}
