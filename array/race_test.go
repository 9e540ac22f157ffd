//go:build race

package array_test

func init() { raceEnabled = true }
