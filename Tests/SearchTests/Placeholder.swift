// Search tests live in this target (see Sources/Search).
