// Package config holds outdial's server configuration as one typed struct: defaults,
// loading from YAML, overrides from OUTDIAL_* environment variables and flags, and
// validation that names the key path and the allowed range. It must not import any
// other package of outdial except amd (pure, no dependencies), whose parameter presets
// and keys it validates.
package config
