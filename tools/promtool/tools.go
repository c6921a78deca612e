//go:build tools

// Package tools pins github.com/prometheus/prometheus (promtool), built by scripts/bootstrap.mjs
// into .stack/bin; `npm test` runs `promtool test rules` on deploy/prometheus/.
// It has its own module so that no other program's dependencies change its versions.
package tools

import _ "github.com/prometheus/prometheus/cmd/promtool"
