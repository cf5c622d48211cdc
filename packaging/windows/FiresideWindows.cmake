# Windows: windeployqt copies Qt's DLLs, plugins and QML modules beside fireside.exe at install time,
# and CPack's NSIS generator builds an installer with a Start-menu entry and file associations.
# The Vulkan loader (vulkan-1.dll) ships with every GPU driver, so it is not bundled.

find_program(FIRESIDE_WINDEPLOYQT windeployqt HINTS "${QT6_INSTALL_PREFIX}/bin" "$<TARGET_FILE_DIR:Qt6::qmake>")
if(NOT FIRESIDE_WINDEPLOYQT)
    message(FATAL_ERROR "windeployqt was not found: add Qt's bin folder to PATH")
endif()

install(CODE "
    execute_process(COMMAND \"${FIRESIDE_WINDEPLOYQT}\" --release --no-translations --compiler-runtime
                            --qmldir \"${PROJECT_SOURCE_DIR}/ui/qml\"
                            \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/fireside.exe\"
                    RESULT_VARIABLE status)
    if(NOT status EQUAL 0)
        message(FATAL_ERROR \"windeployqt failed: \${status}\")
    endif()
")
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/README.md DESTINATION .)

set(CPACK_GENERATOR NSIS ZIP)
set(CPACK_NSIS_PACKAGE_NAME Fireside)
set(CPACK_NSIS_MUI_ICON ${PROJECT_SOURCE_DIR}/resources/icons/fireside.ico)
set(CPACK_NSIS_DISPLAY_NAME Fireside)
set(CPACK_NSIS_ENABLE_UNINSTALL_BEFORE_INSTALL ON)
set(CPACK_NSIS_INSTALLED_ICON_NAME "bin\\\\fireside.exe")
set(CPACK_NSIS_MUI_FINISHPAGE_RUN "bin\\\\fireside.exe")
set(CPACK_NSIS_MENU_LINKS "bin/fireside.exe" "Fireside")
# .gguf opens in Fireside; .bin is too common to claim, so Fireside is only offered in "Open with".
set(CPACK_NSIS_EXTRA_INSTALL_COMMANDS "
    WriteRegStr HKCR '.gguf' '' 'Fireside.Model'
    WriteRegStr HKCR '.bin\\\\OpenWithProgids' 'Fireside.Model' ''
    WriteRegStr HKCR 'Fireside.Model' '' 'Language model'
    WriteRegStr HKCR 'Fireside.Model\\\\DefaultIcon' '' '$INSTDIR\\\\bin\\\\fireside.exe,0'
    WriteRegStr HKCR 'Fireside.Model\\\\shell\\\\open\\\\command' '' '\\\"$INSTDIR\\\\bin\\\\fireside.exe\\\" \\\"%1\\\"'
    System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, i 0, i 0)'
")
set(CPACK_NSIS_EXTRA_UNINSTALL_COMMANDS "
    DeleteRegKey HKCR 'Fireside.Model'
    DeleteRegValue HKCR '.bin\\\\OpenWithProgids' 'Fireside.Model'
    ReadRegStr $0 HKCR '.gguf' ''
    StrCmp $0 'Fireside.Model' 0 +2
    DeleteRegKey HKCR '.gguf'
")
