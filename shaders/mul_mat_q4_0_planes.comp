#version 450
#extension GL_GOOGLE_include_directive : require
// Repacked q4_0 weights (planes.glsl), eight tokens per workgroup.
#define PLANES_Q4_0
#include "planes.glsl"
