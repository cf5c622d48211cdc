#version 450
#extension GL_GOOGLE_include_directive : require
// Embedding row lookup for q3_K tables (see get_rows.glsl).
#define BLOCK_Q3_K
#include "get_rows.glsl"
