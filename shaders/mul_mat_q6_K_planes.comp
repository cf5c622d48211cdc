#version 450
#extension GL_GOOGLE_include_directive : require
// Repacked q6_K weights (planes.glsl), eight tokens and four row groups per workgroup.
#define PLANES_S8
#define ROWS_PER_LANE 4
#include "planes.glsl"
