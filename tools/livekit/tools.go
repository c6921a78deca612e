//go:build tools

// Package tools pins github.com/livekit/livekit-server v1.13.5, built by scripts/stack into .stack/bin.
// It has its own module so that no other program's dependencies change its versions.
package tools

import _ "github.com/livekit/livekit-server/cmd/server"
