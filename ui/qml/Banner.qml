import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// A dismissible message line above the content: errors in red, notices plain.
Frame {
    id: root
    property string message
    property bool warning: true
    property string actionText
    property string textObjectName
    signal dismissed()
    signal action()

    visible: message.length > 0
    Layout.fillWidth: true
    RowLayout {
        anchors.fill: parent
        Label {
            objectName: root.textObjectName
            Layout.fillWidth: true
            wrapMode: Text.WordWrap
            color: root.warning ? "#c0392b" : root.palette.windowText
            text: root.message
        }
        Button { visible: root.actionText.length > 0; text: root.actionText; onClicked: root.action() }
        ToolButton { text: qsTr("Dismiss"); onClicked: root.dismissed() }
    }
}
