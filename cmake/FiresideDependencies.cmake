# Finds every external dependency; a missing one stops configuration with the Debian package to install.

function(fireside_require found what package)
    if(NOT ${found})
        message(FATAL_ERROR
            "Fireside needs ${what}, which was not found.\n"
            "On Debian 12 install it with:  apt-get install ${package}\n"
            "or run scripts/setup-deps.sh, which installs everything Fireside needs.")
    endif()
endfunction()

find_package(Threads REQUIRED)

find_package(fmt QUIET)
fireside_require(fmt_FOUND "the fmt library" "libfmt-dev")

find_package(Vulkan QUIET)
fireside_require(Vulkan_FOUND "the Vulkan loader and headers" "libvulkan-dev")

find_program(GLSLANG_VALIDATOR glslangValidator)
set(FIRESIDE_GLSLANG_FOUND FALSE)
if(EXISTS "${GLSLANG_VALIDATOR}")
    set(FIRESIDE_GLSLANG_FOUND TRUE)
endif()
fireside_require(FIRESIDE_GLSLANG_FOUND "glslangValidator (GLSL to SPIR-V compiler)" "glslang-tools")

set(FIRESIDE_QT_COMPONENTS Core Test)
if(FIRESIDE_BUILD_UI)
    list(APPEND FIRESIDE_QT_COMPONENTS Gui Widgets Qml Quick QuickControls2 QuickTest Svg Concurrent)
endif()
set(_qt_packages_Core "qt6-base-dev")
set(_qt_packages_Test "qt6-base-dev")
set(_qt_packages_Gui "qt6-base-dev libgl-dev")
set(_qt_packages_Widgets "qt6-base-dev")
set(_qt_packages_Concurrent "qt6-base-dev")
set(_qt_packages_Qml "qt6-declarative-dev")
set(_qt_packages_Quick "qt6-declarative-dev")
set(_qt_packages_QuickControls2 "qt6-declarative-dev")
set(_qt_packages_QuickTest "qt6-declarative-dev")
set(_qt_packages_Svg "qt6-svg-dev")
foreach(component IN LISTS FIRESIDE_QT_COMPONENTS)
    find_package(Qt6 6.4 QUIET COMPONENTS ${component})
    fireside_require(Qt6${component}_FOUND "Qt 6 ${component} (6.4 or newer)" "${_qt_packages_${component}}")
endforeach()
