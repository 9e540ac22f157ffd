package main

// The formats register their loaders and writers (package funcs) in
// init: any process that may run a load or store task links them in.
import (
	_ "github.com/blockwork-dev/blockwork/array/arrowio"
	_ "github.com/blockwork-dev/blockwork/array/npy"
	_ "github.com/blockwork-dev/blockwork/array/zarr"
)
