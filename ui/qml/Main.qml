import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Dialogs

ApplicationWindow {
    id: window
    objectName: "mainWindow"
    width: 1100
    height: 720
    minimumWidth: 640
    minimumHeight: 420
    visible: true
    title: models.loaded ? models.fileName + " — Fireside" : "Fireside"

    function openModelDialog() { modelDialog.open() }

    Shortcut {
        sequence: StandardKey.Open
        onActivated: window.openModelDialog()
    }

    FileDialog {
        id: modelDialog
        objectName: "modelDialog"
        title: qsTr("Open model")
        nameFilters: models.nameFilters
        fileMode: FileDialog.OpenFile
        onAccepted: models.open(selectedFile)
    }

    header: ToolBar {
        RowLayout {
            anchors.fill: parent
            anchors.leftMargin: 8
            anchors.rightMargin: 8
            ToolButton {
                objectName: "openModelButton"
                text: qsTr("Open model…")
                enabled: !models.busy
                onClicked: window.openModelDialog()
            }
            Label {
                Layout.fillWidth: true
                elide: Text.ElideMiddle
                horizontalAlignment: Text.AlignRight
                text: models.loaded ? models.fileName : qsTr("No model loaded")
                opacity: 0.7
            }
        }
    }

    DropArea {
        anchors.fill: parent
        onDropped: (drop) => {
            if (drop.hasUrls) models.open(drop.urls[0])
        }
    }

    ColumnLayout {
        anchors.centerIn: parent
        width: Math.min(parent.width - 48, 560)
        spacing: 16

        Label {
            objectName: "noModelLabel"
            visible: !models.loaded
            Layout.alignment: Qt.AlignHCenter
            text: qsTr("No model is loaded")
            font.pixelSize: 26
        }
        Label {
            visible: !models.loaded
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.WordWrap
            opacity: 0.75
            text: qsTr("Open a GGML v3 (.bin) or GGUF (.gguf) LLaMA-family model to start chatting. You can also drop a model file onto this window.")
        }
        Button {
            objectName: "openModelCenterButton"
            visible: !models.loaded
            Layout.alignment: Qt.AlignHCenter
            text: qsTr("Open model…")
            highlighted: true
            enabled: !models.busy
            onClicked: window.openModelDialog()
        }
        BusyIndicator {
            Layout.alignment: Qt.AlignHCenter
            running: models.busy
            visible: running
        }

        GridLayout {
            objectName: "modelInfo"
            visible: models.loaded
            Layout.alignment: Qt.AlignHCenter
            columns: 2
            columnSpacing: 16
            Label { text: qsTr("Model"); font.bold: true }
            Label { text: models.fileName }
            Label { text: qsTr("Size class"); font.bold: true }
            Label { text: models.info.sizeClass || "" }
            Label { text: qsTr("Quantization"); font.bold: true }
            Label { text: models.info.fileType || "" }
            Label { text: qsTr("Layers / heads / KV heads"); font.bold: true }
            Label { text: (models.info.layers || 0) + " / " + (models.info.heads || 0) + " / " + (models.info.kvHeads || 0) }
            Label { text: qsTr("Parameters"); font.bold: true }
            Label { text: ((models.info.parameters || 0) / 1e9).toFixed(2) + " B" }
            Label { text: qsTr("Context"); font.bold: true }
            Label { text: models.info.contextLength || "" }
        }

        Frame {
            objectName: "errorBanner"
            visible: models.error.length > 0
            Layout.fillWidth: true
            RowLayout {
                anchors.fill: parent
                Label {
                    objectName: "errorText"
                    Layout.fillWidth: true
                    wrapMode: Text.WordWrap
                    color: "#c0392b"
                    text: models.error
                }
                ToolButton {
                    text: qsTr("Dismiss")
                    onClicked: models.clearError()
                }
            }
        }
    }
}
