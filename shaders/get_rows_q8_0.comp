#version 450
#extension GL_GOOGLE_include_directive : require
// Embedding row lookup for q8_0 tables (see get_rows.glsl).
#define BLOCK_Q8_0
#include "get_rows.glsl"
