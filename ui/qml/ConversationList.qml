import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// The sidebar: new chat / new story, search, and the conversations with their menu.
ColumnLayout {
    id: root
    spacing: 4
    signal exportRequested(string id, string format)
    signal importRequested()
    function focusSearch() { search.forceActiveFocus() }

    RowLayout {
        Layout.fillWidth: true
        Button { objectName: "newChatButton"; text: qsTr("New chat"); Layout.fillWidth: true; onClicked: library.newChat() }
        Button { objectName: "newStoryButton"; text: qsTr("New story"); Layout.fillWidth: true; onClicked: library.newStory() }
    }
    TextField {
        id: search
        objectName: "searchField"
        Layout.fillWidth: true
        placeholderText: qsTr("Search")
        onTextChanged: library.conversations.filter = text
    }
    ListView {
        id: list
        objectName: "conversationList"
        Layout.fillWidth: true
        Layout.fillHeight: true
        clip: true
        model: library.conversations
        ScrollBar.vertical: ScrollBar {}
        delegate: ItemDelegate {
            id: item
            required property string conversationId
            required property string title
            required property string kind
            required property string preview
            property bool renaming: false
            width: ListView.view.width
            highlighted: conversationId === library.currentId
            onClicked: library.open(conversationId)
            contentItem: ColumnLayout {
                spacing: 0
                Label {
                    visible: !item.renaming
                    Layout.fillWidth: true
                    text: (item.kind === "story" ? "📖 " : "") + (item.title.length ? item.title : qsTr("Untitled"))
                    elide: Text.ElideRight
                    font.bold: item.highlighted
                    // The custom content does not follow the highlight on its own.
                    color: item.highlighted ? item.palette.highlightedText : item.palette.text
                }
                TextField {
                    id: renameField
                    visible: item.renaming
                    Layout.fillWidth: true
                    onAccepted: { library.rename(item.conversationId, text); item.renaming = false }
                    onActiveFocusChanged: if (!activeFocus) item.renaming = false
                }
                Label {
                    Layout.fillWidth: true
                    text: item.preview
                    elide: Text.ElideRight
                    color: item.highlighted ? item.palette.highlightedText : item.palette.text
                    opacity: 0.6
                    font.pixelSize: 11
                }
            }
            TapHandler {
                acceptedButtons: Qt.RightButton
                onTapped: menu.popup()
            }
            Menu {
                id: menu
                MenuItem { text: qsTr("Rename"); onTriggered: { renameField.text = item.title; item.renaming = true; renameField.forceActiveFocus() } }
                MenuItem { text: qsTr("Duplicate"); onTriggered: library.duplicate(item.conversationId) }
                MenuItem { text: qsTr("Export as Markdown…"); onTriggered: root.exportRequested(item.conversationId, "md") }
                MenuItem { text: qsTr("Export as text…"); onTriggered: root.exportRequested(item.conversationId, "txt") }
                MenuItem { text: qsTr("Export as JSON…"); onTriggered: root.exportRequested(item.conversationId, "json") }
                MenuSeparator {}
                MenuItem { text: qsTr("Delete"); onTriggered: library.remove(item.conversationId) }
            }
        }
    }
    Button {
        Layout.fillWidth: true
        flat: true
        text: qsTr("Import JSON…")
        onClicked: root.importRequested()
    }
}
