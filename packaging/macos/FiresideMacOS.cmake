# macOS: Fireside.app with its icon and document types, Qt deployed into it by macdeployqt, MoltenVK
# and the Vulkan loader bundled (found at run time in Contents/Frameworks, with MoltenVK's ICD file in
# Contents/Resources/vulkan/icd.d where the loader looks inside a bundle), and a DragNDrop DMG.

set(FIRESIDE_ICNS ${CMAKE_CURRENT_BINARY_DIR}/fireside.icns)
set(FIRESIDE_ICONSET ${CMAKE_CURRENT_BINARY_DIR}/fireside.iconset)
add_custom_command(OUTPUT ${FIRESIDE_ICNS}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${FIRESIDE_ICONSET}
    COMMAND ${CMAKE_COMMAND} -E copy ${PROJECT_SOURCE_DIR}/resources/icons/fireside-16.png ${FIRESIDE_ICONSET}/icon_16x16.png
    COMMAND ${CMAKE_COMMAND} -E copy ${PROJECT_SOURCE_DIR}/resources/icons/fireside-32.png ${FIRESIDE_ICONSET}/icon_16x16@2x.png
    COMMAND ${CMAKE_COMMAND} -E copy ${PROJECT_SOURCE_DIR}/resources/icons/fireside-32.png ${FIRESIDE_ICONSET}/icon_32x32.png
    COMMAND ${CMAKE_COMMAND} -E copy ${PROJECT_SOURCE_DIR}/resources/icons/fireside-64.png ${FIRESIDE_ICONSET}/icon_32x32@2x.png
    COMMAND ${CMAKE_COMMAND} -E copy ${PROJECT_SOURCE_DIR}/resources/icons/fireside-128.png ${FIRESIDE_ICONSET}/icon_128x128.png
    COMMAND ${CMAKE_COMMAND} -E copy ${PROJECT_SOURCE_DIR}/resources/icons/fireside-256.png ${FIRESIDE_ICONSET}/icon_128x128@2x.png
    COMMAND ${CMAKE_COMMAND} -E copy ${PROJECT_SOURCE_DIR}/resources/icons/fireside-256.png ${FIRESIDE_ICONSET}/icon_256x256.png
    COMMAND ${CMAKE_COMMAND} -E copy ${PROJECT_SOURCE_DIR}/resources/icons/fireside-512.png ${FIRESIDE_ICONSET}/icon_256x256@2x.png
    COMMAND ${CMAKE_COMMAND} -E copy ${PROJECT_SOURCE_DIR}/resources/icons/fireside-512.png ${FIRESIDE_ICONSET}/icon_512x512.png
    COMMAND iconutil -c icns -o ${FIRESIDE_ICNS} ${FIRESIDE_ICONSET}
    DEPENDS ${PROJECT_SOURCE_DIR}/resources/icons/fireside-512.png
    COMMENT "Making fireside.icns")
target_sources(fireside PRIVATE ${FIRESIDE_ICNS})
set_source_files_properties(${FIRESIDE_ICNS} PROPERTIES MACOSX_PACKAGE_LOCATION Resources)
configure_file(${CMAKE_CURRENT_SOURCE_DIR}/macos/Info.plist.in ${CMAKE_CURRENT_BINARY_DIR}/Info.plist @ONLY)
set_target_properties(fireside PROPERTIES
    OUTPUT_NAME Fireside
    MACOSX_BUNDLE_INFO_PLIST ${CMAKE_CURRENT_BINARY_DIR}/Info.plist)

# MoltenVK and the loader come from the Vulkan SDK (VULKAN_SDK) or Homebrew (molten-vk, vulkan-loader).
find_library(FIRESIDE_MOLTENVK MoltenVK HINTS $ENV{VULKAN_SDK}/lib /opt/homebrew/lib /usr/local/lib)
find_library(FIRESIDE_VULKAN_LOADER NAMES vulkan.1 vulkan HINTS $ENV{VULKAN_SDK}/lib /opt/homebrew/lib /usr/local/lib)
if(NOT FIRESIDE_MOLTENVK OR NOT FIRESIDE_VULKAN_LOADER)
    message(FATAL_ERROR "MoltenVK and the Vulkan loader were not found: install the Vulkan SDK (set VULKAN_SDK) "
                        "or 'brew install molten-vk vulkan-loader'")
endif()
set(FIRESIDE_BUNDLE_CONTENTS "Fireside.app/Contents")
install(FILES ${FIRESIDE_MOLTENVK} ${FIRESIDE_VULKAN_LOADER} DESTINATION ${FIRESIDE_BUNDLE_CONTENTS}/Frameworks)
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/MoltenVK_icd.json
    "{ \"file_format_version\": \"1.0.0\", \"ICD\": { \"library_path\": \"../../../Frameworks/libMoltenVK.dylib\", \"api_version\": \"1.2.0\", \"is_portability_driver\": true } }\n")
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/MoltenVK_icd.json DESTINATION ${FIRESIDE_BUNDLE_CONTENTS}/Resources/vulkan/icd.d)

find_program(FIRESIDE_MACDEPLOYQT macdeployqt HINTS "${QT6_INSTALL_PREFIX}/bin")
if(NOT FIRESIDE_MACDEPLOYQT)
    message(FATAL_ERROR "macdeployqt was not found: add Qt's bin folder to PATH")
endif()
install(CODE "
    execute_process(COMMAND \"${FIRESIDE_MACDEPLOYQT}\" \"\${CMAKE_INSTALL_PREFIX}/Fireside.app\"
                            -qmldir=${PROJECT_SOURCE_DIR}/ui/qml -always-overwrite
                    RESULT_VARIABLE status)
    if(NOT status EQUAL 0)
        message(FATAL_ERROR \"macdeployqt failed: \${status}\")
    endif()
")

set(CPACK_GENERATOR DragNDrop)
set(CPACK_DMG_VOLUME_NAME Fireside)
set(CPACK_DMG_FORMAT UDBZ)
