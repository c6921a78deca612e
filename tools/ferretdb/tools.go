//go:build tools

// Package tools pins github.com/FerretDB/FerretDB v1.24.2, built by scripts/stack into .stack/bin.
// It has its own module so that no other program's dependencies change its versions.
package tools

import _ "github.com/FerretDB/FerretDB/cmd/ferretdb"
