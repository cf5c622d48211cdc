import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Dialogs

ApplicationWindow {
    id: window
    objectName: "mainWindow"
    width: 1200
    height: 780
    minimumWidth: 720
    minimumHeight: 480
    visible: true
    title: models.loaded ? models.fileName + " — Fireside" : "Fireside"

    readonly property bool isStory: library.currentKind === "story"
    readonly property bool dark: presets.theme === "dark"
        || (presets.theme === "system" && systemPalette.window.hslLightness < 0.5)
    SystemPalette { id: systemPalette }
    // The chosen theme's colour, or the platform's when the theme follows the system.
    function tone(darkColor, lightColor, systemColor) {
        return presets.theme === "system" ? systemColor : (dark ? darkColor : lightColor)
    }

    function openModelDialog() { modelDialog.open() }
    function formatBytes(n) {
        if (!n) return "0 B"
        var units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var i = 0
        while (n >= 1024 && i < units.length - 1) { n /= 1024; ++i }
        return n.toFixed(i === 0 ? 0 : 1) + " " + units[i]
    }
    function focusComposer() {
        if (window.isStory) storyLoader.forceActiveFocus()
        else if (chatLoader.item) chatLoader.item.focusInput()
    }

    // Light and dark palettes for Fusion; "system" keeps the platform's.
    palette.window: tone("#202124", "#f3f3f3", systemPalette.window)
    palette.windowText: tone("#e8eaed", "#1f1f1f", systemPalette.windowText)
    palette.base: tone("#2a2b2e", "#ffffff", systemPalette.base)
    palette.alternateBase: tone("#303134", "#f7f7f7", systemPalette.alternateBase)
    palette.text: tone("#e8eaed", "#1f1f1f", systemPalette.text)
    palette.button: tone("#3a3b3e", "#e9e9e9", systemPalette.button)
    palette.buttonText: tone("#e8eaed", "#1f1f1f", systemPalette.buttonText)
    palette.highlight: tone("#8ab4f8", "#1a73e8", systemPalette.highlight)
    palette.highlightedText: tone("#202124", "#ffffff", systemPalette.highlightedText)
    palette.placeholderText: dark ? "#9aa0a6" : "#80868b"
    palette.mid: tone("#5f6368", "#c0c0c0", systemPalette.mid)

    Connections {
        target: models
        function onModelReady() { window.focusComposer() }
    }

    Shortcut { sequence: StandardKey.Open; onActivated: window.openModelDialog() }
    Shortcut { sequence: "Ctrl+N"; onActivated: library.newChat() }
    Shortcut { sequence: "Ctrl+Shift+N"; onActivated: library.newStory() }
    Shortcut { sequence: StandardKey.Find; onActivated: sidebar.focusSearch() }
    Shortcut { sequence: "Ctrl+,"; onActivated: settingsToggle.checked = !settingsToggle.checked }
    Shortcut { sequence: "Escape"; enabled: chat.busy || story.busy || models.busy
        onActivated: { chat.stop(); story.stop(); models.cancel() } }
    Shortcut { sequence: "Ctrl+R"; enabled: !window.isStory && !chat.busy && messages.count > 0
        onActivated: chat.regenerate(messages.roleAt(messages.count - 1) === "assistant" ? messages.count - 1 : -1) }
    Shortcut { sequence: "Ctrl+Return"; enabled: window.isStory && !story.busy; onActivated: story.continueStory() }
    Shortcut { sequence: "Ctrl+L"; onActivated: window.focusComposer() }

    FileDialog {
        id: modelDialog
        objectName: "modelDialog"
        title: qsTr("Open model")
        nameFilters: models.nameFilters
        fileMode: FileDialog.OpenFile
        onAccepted: models.open(selectedFile)
    }
    FileDialog {
        id: exportDialog
        property string conversationId
        property string format
        title: qsTr("Export conversation")
        fileMode: FileDialog.SaveFile
        nameFilters: format === "md" ? [qsTr("Markdown (*.md)")] : format === "txt" ? [qsTr("Text (*.txt)")] : [qsTr("JSON (*.json)")]
        onAccepted: library.exportTo(conversationId, selectedFile, format)
    }
    FileDialog {
        id: importDialog
        title: qsTr("Import conversation")
        fileMode: FileDialog.OpenFile
        nameFilters: [qsTr("Fireside JSON (*.json)")]
        onAccepted: library.importFrom(selectedFile)
    }

    Dialog {
        id: infoDialog
        objectName: "modelInfoDialog"
        title: qsTr("Model")
        anchors.centerIn: Overlay.overlay
        standardButtons: Dialog.Close
        GridLayout {
            columns: 2
            columnSpacing: 16
            Label { text: qsTr("File"); font.bold: true }
            Label { text: models.fileName }
            Label { text: qsTr("Architecture"); font.bold: true }
            Label { text: (models.info.architecture || "") + " (" + (models.info.container || "") + ")" }
            Label { text: qsTr("Size class"); font.bold: true }
            Label { text: models.info.sizeClass || "" }
            Label { text: qsTr("Parameters"); font.bold: true }
            Label { text: ((models.info.parameters || 0) / 1e6).toFixed(2) + " M" }
            Label { text: qsTr("Layers / heads / KV heads"); font.bold: true }
            Label { text: (models.info.layers || 0) + " / " + (models.info.heads || 0) + " / " + (models.info.kvHeads || 0) }
            Label { text: qsTr("Quantization"); font.bold: true }
            Label { text: (models.info.fileType || "") + "\n" + (models.info.quantMix || ""); wrapMode: Text.WordWrap; Layout.maximumWidth: 400 }
            Label { text: qsTr("Context"); font.bold: true }
            Label { text: (models.info.context || 0) + qsTr(" (trained on %1)").arg(models.info.contextLength || 0) }
            Label { text: qsTr("Memory"); font.bold: true }
            Label { text: window.formatBytes(models.info.memoryBytes || 0) + qsTr(" (KV cache %1)").arg(window.formatBytes(models.info.kvCacheBytes || 0)) }
            Label { text: qsTr("Device"); font.bold: true }
            Label { text: models.info.device || "" }
        }
    }

    header: ToolBar {
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: 8
            anchors.rightMargin: 8
            ToolButton {
                objectName: "openModelButton"
                text: qsTr("Open model…")
                onClicked: window.openModelDialog()
            }
            ToolButton {
                text: qsTr("Recent")
                enabled: models.recentModels.length > 0
                onClicked: recentMenu.popup()
                Menu {
                    id: recentMenu
                    Repeater {
                        model: models.recentModels
                        MenuItem { text: modelData; onTriggered: models.openPath(modelData) }
                    }
                }
            }
            ToolButton {
                text: qsTr("Model info")
                enabled: models.loaded
                onClicked: infoDialog.open()
            }
            Label {
                Layout.fillWidth: true
                elide: Text.ElideMiddle
                horizontalAlignment: Text.AlignHCenter
                text: library.currentTitle
                font.bold: true
            }
            ComboBox {
                model: ["system", "light", "dark"]
                currentIndex: Math.max(0, model.indexOf(presets.theme))
                onActivated: (i) => presets.theme = model[i]
                implicitWidth: 100
            }
            ToolButton {
                id: settingsToggle
                objectName: "settingsToggle"
                text: qsTr("Settings")
                checkable: true
                checked: true
            }
        }
    }

    footer: ToolBar {
        objectName: "statusBar"
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: 8
            anchors.rightMargin: 8
            spacing: 16
            Label {
                text: models.loaded ? models.fileName : models.busy ? qsTr("Loading…") : qsTr("No model loaded")
                elide: Text.ElideMiddle
                Layout.maximumWidth: 260
            }
            Label {
                objectName: "speedLabel"
                visible: generationStatus.stats.generatedTokens !== undefined
                text: qsTr("prompt %1 tok/s · generation %2 tok/s")
                      .arg((generationStatus.stats.promptTokensPerSecond || 0).toFixed(1))
                      .arg((generationStatus.stats.generationTokensPerSecond || 0).toFixed(1))
            }
            Label {
                objectName: "contextLabel"
                visible: generationStatus.stats.contextSize !== undefined
                text: qsTr("context %1 / %2").arg(generationStatus.stats.contextUsed || 0).arg(generationStatus.stats.contextSize || 0)
            }
            Item { Layout.fillWidth: true }
            Label { text: generationStatus.generating ? qsTr("generating…") : ""; opacity: 0.7 }
            Label { objectName: "deviceLabel"; text: models.info.device || ""; opacity: 0.8 }
        }
    }

    DropArea {
        anchors.fill: parent
        keys: ["text/uri-list"]
        onDropped: (drop) => { if (drop.hasUrls) models.open(drop.urls[0]) }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        // Loading progress with Cancel.
        Pane {
            objectName: "loadPane"
            visible: models.busy
            Layout.fillWidth: true
            RowLayout {
                anchors.fill: parent
                Label { text: qsTr("Loading model…") }
                ProgressBar {
                    objectName: "loadProgress"
                    Layout.fillWidth: true
                    value: models.progress
                }
                Button { objectName: "cancelLoadButton"; text: qsTr("Cancel"); onClicked: models.cancel() }
            }
        }

        Banner { objectName: "errorBanner"; textObjectName: "errorText"; message: models.error; onDismissed: models.clearError() }
        Banner { objectName: "chatErrorBanner"; message: chat.error; onDismissed: chat.clearError() }
        Banner { objectName: "storyErrorBanner"; message: story.error; onDismissed: story.clearError() }
        Banner { objectName: "noticeBanner"; message: library.notice; warning: false; onDismissed: library.dismissNotice() }
        Banner {
            objectName: "undoBanner"
            warning: false
            message: library.canUndoDelete ? qsTr("Deleted \"%1\".").arg(library.undoTitle) : ""
            actionText: qsTr("Undo")
            onAction: library.undoDelete()
            onDismissed: library.forgetDelete()
        }

        SplitView {
            Layout.fillWidth: true
            Layout.fillHeight: true
            orientation: Qt.Horizontal

            ConversationList {
                id: sidebar
                SplitView.preferredWidth: 240
                SplitView.minimumWidth: 160
                onExportRequested: (id, format) => {
                    exportDialog.conversationId = id
                    exportDialog.format = format
                    exportDialog.open()
                }
                onImportRequested: importDialog.open()
            }

            Item {
                SplitView.fillWidth: true
                SplitView.minimumWidth: 300

                ColumnLayout {
                    objectName: "welcome"
                    anchors.centerIn: parent
                    width: Math.min(parent.width - 48, 560)
                    visible: !models.loaded && !models.busy && (window.isStory ? story.text.length === 0 : messages.count === 0)
                    z: 1
                    spacing: 16
                    Label {
                        objectName: "noModelLabel"
                        Layout.alignment: Qt.AlignHCenter
                        text: qsTr("No model is loaded")
                        font.pixelSize: 26
                    }
                    Label {
                        Layout.fillWidth: true
                        horizontalAlignment: Text.AlignHCenter
                        wrapMode: Text.WordWrap
                        opacity: 0.75
                        text: qsTr("Open a GGML v3 (.bin) or GGUF (.gguf) LLaMA-family model to start chatting. You can also drop a model file onto this window.")
                    }
                    Button {
                        objectName: "openModelCenterButton"
                        Layout.alignment: Qt.AlignHCenter
                        text: qsTr("Open model…")
                        highlighted: true
                        onClicked: window.openModelDialog()
                    }
                }

                Loader {
                    id: chatLoader
                    anchors.fill: parent
                    active: !window.isStory
                    visible: active
                    sourceComponent: ChatView {}
                }
                Loader {
                    id: storyLoader
                    anchors.fill: parent
                    active: window.isStory
                    visible: active
                    sourceComponent: StoryView {}
                }
            }

            SettingsPanel {
                visible: settingsToggle.checked
                SplitView.preferredWidth: 340
                SplitView.minimumWidth: 260
            }
        }
    }
}
