// Why this exists: SwiftPM only reads pkg-config on system-library targets. This empty
// module carries `pkg-config opencv4` (include path and link flags) to the COpenCV shim.
