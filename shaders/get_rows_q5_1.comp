#version 450
#extension GL_GOOGLE_include_directive : require
// Embedding row lookup for q5_1 tables (see get_rows.glsl).
#define BLOCK_Q5_1
#include "get_rows.glsl"
