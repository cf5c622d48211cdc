#version 450
#extension GL_GOOGLE_include_directive : require
// Embedding row lookup for q4_K tables (see get_rows.glsl).
#define BLOCK_Q4_K
#include "get_rows.glsl"
