#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_ballot : require
// Repacked q4_0 weights (planes_q4_0.glsl), eight tokens per workgroup.
#include "planes_q4_0.glsl"
