// Package app is the composition root: it turns configuration into an open
// store, the domain services and, for `nudge serve`, the HTTP server and
// workers. Nothing else in nudge wires parts together.
package app

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Config is nudge's effective configuration, layered defaults -> environment
// -> flags.
type Config struct {
	DataDir  string // NUDGE_DATA, --data
	DB       string // NUDGE_DB, --db: sqlite:PATH or postgres://...
	Addr     string // NUDGE_ADDR, --addr
	Region   string // NUDGE_REGION: phone numbers without a country code
	Timezone string // NUDGE_TIMEZONE: the shop's zone, for dates without one
	// MasterKey holds hex master keys (oldest first, comma separated) from
	// NUDGE_MASTER_KEY or NUDGE_MASTER_KEY_FILE; empty means the key file in
	// the data directory.
	MasterKey string `json:"-"`
	// BaseURL is how the console and short links are reached from outside.
	BaseURL string // NUDGE_BASE_URL
	// ShutdownTimeout bounds the wait for in-flight requests on SIGTERM.
	ShutdownTimeout time.Duration
	// RefreshAt is the shop-local time ("HH:MM", or "off") of the nightly
	// RFM and prediction refresh; NUDGE_REFRESH_AT.
	RefreshAt string
}

// DefaultConfig reads the environment over the defaults.
func DefaultConfig() Config {
	c := Config{
		DataDir:         env("NUDGE_DATA", "data"),
		Addr:            env("NUDGE_ADDR", "127.0.0.1:8080"),
		Region:          env("NUDGE_REGION", "CN"),
		Timezone:        env("NUDGE_TIMEZONE", "Asia/Shanghai"),
		MasterKey:       os.Getenv("NUDGE_MASTER_KEY"),
		BaseURL:         os.Getenv("NUDGE_BASE_URL"),
		DB:              os.Getenv("NUDGE_DB"),
		ShutdownTimeout: 20 * time.Second,
		RefreshAt:       env("NUDGE_REFRESH_AT", "03:00"),
	}
	if c.MasterKey == "" {
		if f := os.Getenv("NUDGE_MASTER_KEY_FILE"); f != "" {
			if b, err := os.ReadFile(f); err == nil {
				c.MasterKey = strings.TrimSpace(string(b))
			}
		}
	}
	return c
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// Flags registers the flags every command shares.
func (c *Config) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data", c.DataDir, "data directory (key file, SQLite store) [NUDGE_DATA]")
	fs.StringVar(&c.DB, "db", c.DB, "store: sqlite:PATH or postgres://... (default sqlite:DATA/nudge.db) [NUDGE_DB]")
}

// Validate fills derived defaults and checks the values.
func (c *Config) Validate() error {
	if c.DataDir == "" {
		return errors.New("config: empty data directory")
	}
	if c.DB == "" {
		c.DB = "sqlite:" + filepath.Join(c.DataDir, "nudge.db")
	}
	if !strings.HasPrefix(c.DB, "sqlite:") && !strings.HasPrefix(c.DB, "postgres://") && !strings.HasPrefix(c.DB, "postgresql://") {
		return fmt.Errorf("config: --db %q must be sqlite:PATH or postgres://...", c.DB)
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil {
		return fmt.Errorf("config: NUDGE_TIMEZONE %q: %w", c.Timezone, err)
	}
	if c.RefreshAt == "" {
		c.RefreshAt = "03:00"
	}
	if _, err := ParseRefreshAt(c.RefreshAt); err != nil {
		return err
	}
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	return nil
}

// Print writes the effective configuration, secrets left out.
func (c Config) Print(w io.Writer) {
	key := "key file " + filepath.Join(c.DataDir, "master.key")
	if c.MasterKey != "" {
		key = "NUDGE_MASTER_KEY (set)"
	}
	fmt.Fprintf(w, "data      %s\ndb        %s\naddr      %s\nbase_url  %s\nregion    %s\ntimezone  %s\nmaster    %s\nrefresh   %s\n",
		c.DataDir, redactDB(c.DB), c.Addr, c.BaseURL, c.Region, c.Timezone, key, c.RefreshAt)
}

func redactDB(dsn string) string {
	if i := strings.Index(dsn, "://"); i >= 0 {
		if at := strings.Index(dsn[i+3:], "@"); at >= 0 {
			user := dsn[i+3 : i+3+at]
			if u, _, ok := strings.Cut(user, ":"); ok {
				return dsn[:i+3] + u + ":***" + dsn[i+3+at:]
			}
		}
	}
	return dsn
}
