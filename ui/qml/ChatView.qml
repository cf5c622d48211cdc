import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// Messages, the input box (Enter sends, Shift+Enter starts a new line) and Send/Stop.
ColumnLayout {
    id: root
    spacing: 0
    function focusInput() { input.forceActiveFocus() }

    ListView {
        id: list
        objectName: "messageList"
        Layout.fillWidth: true
        Layout.fillHeight: true
        clip: true
        model: messages
        spacing: 0
        delegate: MessageDelegate {}
        ScrollBar.vertical: ScrollBar {}
        // Follow a streaming answer unless the user scrolled up to read.
        property bool follow: true
        onMovementEnded: follow = atYEnd
        onContentHeightChanged: if (follow) positionViewAtEnd()
        onCountChanged: { follow = true; positionViewAtEnd() }

        Label {
            anchors.centerIn: parent
            visible: list.count === 0
            width: parent.width - 48
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.WordWrap
            opacity: 0.6
            text: models.loaded ? qsTr("Say something to %1.").arg(models.fileName)
                                : qsTr("Open a model to start chatting (Ctrl+O).")
        }
    }

    Frame {
        Layout.fillWidth: true
        RowLayout {
            anchors.fill: parent
            ScrollView {
                Layout.fillWidth: true
                Layout.preferredHeight: Math.min(160, Math.max(40, input.implicitHeight))
                TextArea {
                    id: input
                    objectName: "messageInput"
                    wrapMode: TextEdit.Wrap
                    placeholderText: qsTr("Message (Enter sends, Shift+Enter new line)")
                    Keys.onPressed: (event) => {
                        if ((event.key === Qt.Key_Return || event.key === Qt.Key_Enter)
                                && !(event.modifiers & Qt.ShiftModifier)) {
                            event.accepted = true
                            root.send()
                        }
                    }
                }
            }
            Button {
                objectName: chat.busy ? "stopButton" : "sendButton"
                text: chat.busy ? qsTr("Stop") : qsTr("Send")
                highlighted: !chat.busy
                enabled: chat.busy || input.text.trim().length > 0
                onClicked: chat.busy ? chat.stop() : root.send()
            }
        }
    }

    function send() {
        if (chat.busy) return
        if (chat.send(input.text)) input.text = ""
    }
}
