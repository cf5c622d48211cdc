#version 450
#extension GL_GOOGLE_include_directive : require
// Repacked q4_0 weights (planes.glsl), eight tokens and four row groups per workgroup.
#define PLANES_Q4_0
#define ROWS_PER_LANE 4
#include "planes.glsl"
