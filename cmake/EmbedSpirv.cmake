# Compiles GLSL compute shaders to SPIR-V with glslangValidator and embeds the words in a C++ source, so
# nothing is read from disk at run time.

set(FIRESIDE_EMBED_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/EmbedSpirvFile.cmake)

# fireside_embed_shaders(TARGET <lib> SOURCES <a.comp>... [INCLUDE_DIRS <dir>...])
function(fireside_embed_shaders)
    cmake_parse_arguments(ARG "" "TARGET" "SOURCES;INCLUDE_DIRS;DEPENDS" ${ARGN})
    set(out_dir ${CMAKE_CURRENT_BINARY_DIR}/spirv)
    file(MAKE_DIRECTORY ${out_dir})
    set(include_flags)
    foreach(dir IN LISTS ARG_INCLUDE_DIRS)
        list(APPEND include_flags -I${dir})
    endforeach()
    set(spv_files)
    set(names)
    foreach(src IN LISTS ARG_SOURCES)
        get_filename_component(name ${src} NAME_WE)
        set(spv ${out_dir}/${name}.spv)
        add_custom_command(
            OUTPUT ${spv}
            COMMAND ${GLSLANG_VALIDATOR} -V --target-env vulkan1.1 ${include_flags} -o ${spv} ${src}
            DEPENDS ${src} ${ARG_DEPENDS}
            COMMENT "Compiling shader ${name}.comp to SPIR-V"
            VERBATIM)
        list(APPEND spv_files ${spv})
        list(APPEND names ${name})
    endforeach()
    set(generated ${out_dir}/embedded_shaders.cpp)
    add_custom_command(
        OUTPUT ${generated}
        COMMAND ${CMAKE_COMMAND} -DOUTPUT=${generated} "-DSPV_FILES=${spv_files}" -P ${FIRESIDE_EMBED_SCRIPT}
        DEPENDS ${spv_files} ${FIRESIDE_EMBED_SCRIPT}
        COMMENT "Embedding SPIR-V shaders"
        VERBATIM)
    target_sources(${ARG_TARGET} PRIVATE ${generated})
endfunction()
