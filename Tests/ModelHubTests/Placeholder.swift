// ModelHub tests live in this target (see Sources/ModelHub).
