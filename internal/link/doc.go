// Package link makes the personal short links messages carry ({{link}}),
// redirects them, and records each click.
//
// A link is a random token (8 URL-safe characters by default, checked
// against the store for collisions) under a configurable base URL; GET
// /l/{token} answers 302 to the target with UTM parameters appended. Each
// request is recorded with its time, user agent and a keyed hash of the
// client address; link-preview bots and prefetchers are recognised and
// recorded with a bot flag, so that click counts leave them out. Clicks go
// through a buffered channel to one writer goroutine that batches inserts,
// so the redirect does not wait for the store. docs/links.md gives the
// decisions and the measured figures.
package link
