#version 450
#extension GL_GOOGLE_include_directive : require
// Embedding row lookup for q4_1 tables (see get_rows.glsl).
#define BLOCK_Q4_1
#include "get_rows.glsl"
