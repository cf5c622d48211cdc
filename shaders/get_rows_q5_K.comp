#version 450
#extension GL_GOOGLE_include_directive : require
// Embedding row lookup for q5_K tables (see get_rows.glsl).
#define BLOCK_Q5_K
#include "get_rows.glsl"
