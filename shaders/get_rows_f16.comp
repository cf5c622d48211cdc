#version 450
#extension GL_GOOGLE_include_directive : require
// Embedding row lookup for f16 tables (see get_rows.glsl).
#define BLOCK_F16
#include "get_rows.glsl"
