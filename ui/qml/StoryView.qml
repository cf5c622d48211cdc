import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// A story as one editable text: Continue, Retry (alternatives kept), Undo, Stop; memory and author's
// note beside it.
SplitView {
    id: root
    orientation: Qt.Horizontal

    ColumnLayout {
        SplitView.fillWidth: true
        spacing: 4
        ScrollView {
            id: scroller
            Layout.fillWidth: true
            Layout.fillHeight: true
            TextArea {
                id: storyText
                objectName: "storyText"
                wrapMode: TextEdit.Wrap
                readOnly: story.busy
                font.pixelSize: 16
                placeholderText: qsTr("Once upon a time…  Write the beginning, then press Continue (Ctrl+Enter).")
                text: story.text
                onTextChanged: if (!story.busy && text !== story.text) story.text = text
                onLengthChanged: if (story.busy) cursorPosition = length
            }
        }
        RowLayout {
            Layout.margins: 6
            Button {
                objectName: story.busy ? "storyStopButton" : "continueButton"
                text: story.busy ? qsTr("Stop") : qsTr("Continue")
                highlighted: !story.busy
                onClicked: story.busy ? story.stop() : story.continueStory()
            }
            Button { objectName: "retryButton"; text: qsTr("Retry"); enabled: story.canRetry; onClicked: story.retry() }
            Button { objectName: "undoButton"; text: qsTr("Undo"); enabled: story.canUndo; onClicked: story.undo() }
            ToolButton {
                text: "<"; visible: story.alternativeCount > 1; enabled: !story.busy && story.alternativeIndex > 0
                onClicked: story.showAlternative(story.alternativeIndex - 1)
            }
            Label {
                visible: story.alternativeCount > 1
                text: (story.alternativeIndex + 1) + "/" + story.alternativeCount
            }
            ToolButton {
                text: ">"; visible: story.alternativeCount > 1
                enabled: !story.busy && story.alternativeIndex < story.alternativeCount - 1
                onClicked: story.showAlternative(story.alternativeIndex + 1)
            }
            Item { Layout.fillWidth: true }
            Label { text: qsTr("%1 words").arg(story.text.split(/\s+/).filter(w => w.length > 0).length); opacity: 0.6 }
        }
    }

    ColumnLayout {
        SplitView.preferredWidth: 260
        SplitView.minimumWidth: 180
        spacing: 4
        Label { text: qsTr("Memory (always at the top of the context)"); wrapMode: Text.WordWrap; Layout.fillWidth: true }
        ScrollView {
            Layout.fillWidth: true
            Layout.preferredHeight: 140
            TextArea {
                objectName: "memoryEditor"
                wrapMode: TextEdit.Wrap
                text: story.memory
                placeholderText: qsTr("Characters, setting, facts to keep")
                onTextChanged: if (text !== story.memory) story.memory = text
            }
        }
        Label { text: qsTr("Author's note (a few lines before the end)"); wrapMode: Text.WordWrap; Layout.fillWidth: true }
        ScrollView {
            Layout.fillWidth: true
            Layout.preferredHeight: 100
            TextArea {
                objectName: "authorsNoteEditor"
                wrapMode: TextEdit.Wrap
                text: story.authorsNote
                placeholderText: qsTr("[Style: whimsical, short sentences]")
                onTextChanged: if (text !== story.authorsNote) story.authorsNote = text
            }
        }
        Label { text: qsTr("Creative presets") }
        Flow {
            Layout.fillWidth: true
            spacing: 4
            Repeater {
                model: ["Balanced", "Creative", "Storyteller", "Wild"]
                Button { text: modelData; onClicked: presets.applyPreset(modelData, conversationSettings) }
            }
        }
        Label {
            Layout.fillWidth: true
            wrapMode: Text.WordWrap
            opacity: 0.7
            text: qsTr("Temperature %1 · top-p %2 · min-p %3").arg(conversationSettings.temperature.toFixed(2))
                  .arg(conversationSettings.topP.toFixed(2)).arg(conversationSettings.minP.toFixed(2))
        }
        Item { Layout.fillHeight: true }
    }
}
