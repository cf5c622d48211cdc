import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// A setting as a slider with a numeric field beside it; both edit the same value.
RowLayout {
    id: root
    property string label
    property real value
    property real from: 0
    property real to: 1
    property real stepSize: 0.01
    property int decimals: 2
    property string hint
    // A value with a meaning of its own ("auto", "the model's"), shown as a word rather than a number.
    property real specialValue: NaN
    property string specialText
    readonly property bool showsSpecial: specialText.length > 0 && value === specialValue
    property alias slider: slider
    property alias field: field
    signal edited(real value)

    // What a drag, a click on the track or a typed number does.
    function userSet(v) {
        if (root.specialText.length > 0 && String(v).trim().toLowerCase() === root.specialText.toLowerCase()) {
            root.edited(root.specialValue)
            return
        }
        var clamped = Math.min(root.to, Math.max(root.from, Number(v)))
        if (!isNaN(clamped)) root.edited(clamped)
        else field.text = Qt.binding(function() { return root.fieldText() })
    }
    function fieldText() { return root.showsSpecial ? root.specialText : root.value.toFixed(root.decimals) }

    spacing: 6
    Label {
        text: root.label
        Layout.preferredWidth: 110
        elide: Text.ElideRight
        ToolTip.visible: root.hint.length > 0 && hover.hovered
        ToolTip.text: root.hint
        HoverHandler { id: hover }
    }
    Slider {
        id: slider
        objectName: root.objectName + "Track"
        Layout.fillWidth: true
        from: root.from
        to: root.to
        stepSize: root.stepSize
        snapMode: Slider.SnapAlways
        value: root.value
        enabled: root.enabled
        onMoved: root.userSet(value)
    }
    TextField {
        id: field
        objectName: root.objectName + "Field"
        Layout.preferredWidth: 72
        horizontalAlignment: Text.AlignRight
        text: root.fieldText()
        enabled: root.enabled
        validator: root.specialText.length > 0 ? null : numbers
        DoubleValidator { id: numbers; bottom: root.from; top: root.to }
        onEditingFinished: root.userSet(text)
    }
}
