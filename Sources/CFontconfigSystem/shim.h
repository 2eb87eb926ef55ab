// Why this exists: SwiftPM only reads pkg-config on system-library targets. This empty module
// carries `pkg-config fontconfig` (include paths, FreeType's among them, and link flags) to the
// COpenCV shim's text half (cd_text.cpp).
