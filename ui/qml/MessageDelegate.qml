import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// One message: Markdown prose and code blocks (each with Copy), and its actions.
Control {
    id: root
    required property int index
    required property string role
    required property string text
    required property var blocks
    required property int alternativeCount
    required property int alternativeIndex
    required property bool streaming
    property bool editing: false
    readonly property bool isUser: role === "user"
    readonly property bool isLast: index === ListView.view.count - 1

    width: ListView.view.width
    padding: 0
    height: bubble.height + 16

    Rectangle {
        id: bubble
        x: root.isUser ? root.width - width - 12 : 12
        y: 8
        width: Math.min(root.width - 24, 760)
        height: content.implicitHeight + 20
        radius: 8
        color: root.isUser ? Qt.tint(root.palette.base, Qt.rgba(0.2, 0.45, 0.9, 0.12)) : root.palette.base
        border.color: Qt.tint(root.palette.window, Qt.rgba(0.5, 0.5, 0.5, 0.3))

        ColumnLayout {
            id: content
            x: 10; y: 10
            width: parent.width - 20
            spacing: 6

            Label {
                text: root.isUser ? qsTr("You") : qsTr("Assistant") + (root.streaming ? " …" : "")
                font.bold: true
                opacity: 0.7
            }

            // A count, not the list: while an answer streams only the last block's text changes, and
            // the blocks already shown are updated in place instead of rebuilt for every piece.
            Repeater {
                model: root.editing ? 0 : root.blocks.length
                delegate: Loader {
                    required property int index
                    Layout.fillWidth: true
                    property var block: root.blocks[index] || ({kind: "text", text: "", language: ""})
                    sourceComponent: block.kind === "code" ? codeBlock : textBlock
                }
            }
            Label {
                visible: !root.editing && root.text.length === 0
                text: root.streaming ? qsTr("…") : qsTr("(empty)")
                opacity: 0.5
            }

            ColumnLayout {
                visible: root.editing
                Layout.fillWidth: true
                TextArea {
                    id: editor
                    objectName: "messageEditor"
                    Layout.fillWidth: true
                    wrapMode: TextEdit.Wrap
                }
                RowLayout {
                    Button {
                        text: qsTr("Send")
                        highlighted: true
                        onClicked: { root.editing = false; chat.editAndResend(root.index, editor.text) }
                    }
                    Button { text: qsTr("Cancel"); onClicked: root.editing = false }
                }
            }

            RowLayout {
                visible: !root.editing && !root.streaming
                spacing: 2
                ToolButton {
                    text: "<"; visible: root.alternativeCount > 1; enabled: root.alternativeIndex > 0
                    onClicked: chat.showAlternative(root.index, root.alternativeIndex - 1)
                }
                Label {
                    objectName: "alternativeLabel"
                    visible: root.alternativeCount > 1
                    text: (root.alternativeIndex + 1) + "/" + root.alternativeCount
                }
                ToolButton {
                    text: ">"; visible: root.alternativeCount > 1; enabled: root.alternativeIndex < root.alternativeCount - 1
                    onClicked: chat.showAlternative(root.index, root.alternativeIndex + 1)
                }
                ToolButton { text: qsTr("Copy"); onClicked: clipboard.setText(root.text) }
                ToolButton {
                    text: qsTr("Edit"); visible: root.isUser; enabled: !chat.busy
                    onClicked: { editor.text = root.text; root.editing = true; editor.forceActiveFocus() }
                }
                ToolButton {
                    text: qsTr("Regenerate"); visible: !root.isUser; enabled: !chat.busy
                    onClicked: chat.regenerate(root.index)
                }
                ToolButton {
                    text: qsTr("Continue"); visible: !root.isUser && root.isLast; enabled: !chat.busy
                    onClicked: chat.continueReply()
                }
                ToolButton { text: qsTr("Delete"); enabled: !chat.busy; onClicked: chat.deleteMessage(root.index) }
            }
        }
    }

    Component {
        id: textBlock
        TextEdit {
            text: block.text
            textFormat: TextEdit.MarkdownText
            wrapMode: TextEdit.Wrap
            readOnly: true
            selectByMouse: true
            color: root.palette.text
            selectionColor: root.palette.highlight
            selectedTextColor: root.palette.highlightedText
            onLinkActivated: (link) => Qt.openUrlExternally(link)
        }
    }
    Component {
        id: codeBlock
        Rectangle {
            implicitHeight: code.implicitHeight + 36
            radius: 4
            color: Qt.tint(root.palette.base, Qt.rgba(0.5, 0.5, 0.5, 0.15))
            RowLayout {
                x: 8; y: 2; width: parent.width - 16
                Label { text: block.language; opacity: 0.6; Layout.fillWidth: true }
                ToolButton { text: qsTr("Copy code"); onClicked: clipboard.setText(block.text) }
            }
            TextEdit {
                id: code
                x: 8; y: 30
                width: parent.width - 16
                text: block.text
                font.family: "monospace"
                wrapMode: TextEdit.WrapAnywhere
                readOnly: true
                selectByMouse: true
                color: root.palette.text
            }
        }
    }
}
