import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

// The open conversation's settings. Every change applies to the next generation; context, GPU layers
// and RoPE reload the model.
ScrollView {
    id: root
    objectName: "settingsPanel"
    clip: true
    contentWidth: availableWidth
    property var s: conversationSettings

    ColumnLayout {
        width: root.availableWidth
        spacing: 8

        Label { text: qsTr("Conversation settings"); font.bold: true; font.pixelSize: 16 }

        RowLayout {
            Label { text: qsTr("Preset") }
            ComboBox {
                id: presetBox
                objectName: "presetBox"
                Layout.fillWidth: true
                model: presets.presetNames
                displayText: qsTr("Choose…")
                onActivated: (index) => presets.applyPreset(presets.presetNames[index], conversationSettings)
            }
            ToolButton {
                text: qsTr("Save as…")
                onClicked: presetNameDialog.open()
            }
        }
        RowLayout {
            Button { text: qsTr("Make default"); onClicked: presets.makeDefaults(conversationSettings) }
            Button { text: qsTr("Reset"); onClicked: { conversationSettings.resetToDefaults(); presets.applyDefaults(conversationSettings) } }
        }

        Label { text: qsTr("System prompt (empty: the template's own)") }
        ScrollView {
            Layout.fillWidth: true
            Layout.preferredHeight: 90
            TextArea {
                objectName: "systemPromptEditor"
                wrapMode: TextEdit.Wrap
                text: s.systemPrompt
                placeholderText: qsTr("You are a helpful assistant.")
                onTextChanged: if (text !== s.systemPrompt) s.systemPrompt = text
            }
        }

        RowLayout {
            Label { text: qsTr("Template"); Layout.preferredWidth: 110 }
            ComboBox {
                objectName: "templatePicker"
                Layout.fillWidth: true
                model: ["orca-hashes", "llama-2-chat", "alpaca", "vicuna", "chatml", "raw", "custom"]
                currentIndex: Math.max(0, model.indexOf(s.templateName))
                onActivated: (index) => s.templateName = model[index]
            }
        }
        TextField {
            objectName: "customTemplateField"
            visible: s.templateName === "custom"
            Layout.fillWidth: true
            text: s.customTemplate
            font.family: "monospace"
            onEditingFinished: s.customTemplate = text
            ToolTip.visible: activeFocus
            ToolTip.text: qsTr("USER_PREFIX {user} GENERATION_PROMPT {assistant} ANSWER_SUFFIX; {#system}…{system}…{/system}, {bos}, {eos}, \\n")
        }

        Label { text: qsTr("Sampling"); font.bold: true }
        LabeledSlider {
            objectName: "temperatureSlider"; Layout.fillWidth: true
            label: qsTr("Temperature"); from: 0; to: 2; stepSize: 0.05; value: s.temperature
            hint: qsTr("0 always picks the likeliest token; higher is more varied.")
            onEdited: (v) => s.temperature = v
        }
        LabeledSlider {
            objectName: "repeatPenaltySlider"; Layout.fillWidth: true
            label: qsTr("Repeat penalty"); from: 1; to: 2; stepSize: 0.01; value: s.repeatPenalty
            onEdited: (v) => s.repeatPenalty = v
        }
        LabeledSlider {
            objectName: "topKSlider"; Layout.fillWidth: true
            label: qsTr("Top-k"); from: 0; to: 200; stepSize: 1; decimals: 0; value: s.topK
            hint: qsTr("0 keeps every token.")
            onEdited: (v) => s.topK = Math.round(v)
        }
        LabeledSlider {
            objectName: "topPSlider"; Layout.fillWidth: true
            label: qsTr("Top-p"); from: 0; to: 1; stepSize: 0.01; value: s.topP
            onEdited: (v) => s.topP = v
        }
        LabeledSlider {
            objectName: "minPSlider"; Layout.fillWidth: true
            label: qsTr("Min-p"); from: 0; to: 1; stepSize: 0.01; value: s.minP
            onEdited: (v) => s.minP = v
        }
        LabeledSlider {
            objectName: "repeatLastNSlider"; Layout.fillWidth: true
            label: qsTr("Repeat last n"); from: -1; to: 2048; stepSize: 1; decimals: 0; value: s.repeatLastN
            specialValue: -1; specialText: qsTr("all")
            hint: qsTr("Tokens of history the penalty looks at; -1: all.")
            onEdited: (v) => s.repeatLastN = Math.round(v)
        }
        LabeledSlider {
            objectName: "maxNewTokensSlider"; Layout.fillWidth: true
            label: qsTr("Max new tokens"); from: -1; to: 4096; stepSize: 1; decimals: 0; value: s.maxNewTokens
            specialValue: -1; specialText: qsTr("no limit")
            hint: qsTr("-1: until the model stops.")
            onEdited: (v) => s.maxNewTokens = Math.round(v)
        }
        RowLayout {
            Label { text: qsTr("Seed"); Layout.preferredWidth: 110 }
            SpinBox {
                objectName: "seedBox"
                Layout.fillWidth: true
                from: -1; to: 2147483647; editable: true
                value: s.seed
                onValueModified: s.seed = value
            }
            Label { text: s.seed < 0 ? qsTr("random") : ""; opacity: 0.7 }
        }

        Label { text: qsTr("Model (changes reload it)"); font.bold: true }
        LabeledSlider {
            objectName: "contextSlider"; Layout.fillWidth: true
            label: qsTr("Context"); from: 0; to: Math.max(4096, models.info.contextLength || 0) * 2; stepSize: 128; decimals: 0
            value: s.contextLength
            specialValue: 0; specialText: qsTr("auto")
            hint: qsTr("Tokens the model keeps in view; 0: the model's own (at most 4096).")
            onEdited: (v) => s.contextLength = Math.round(v)
        }
        LabeledSlider {
            objectName: "gpuLayersSlider"; Layout.fillWidth: true
            label: qsTr("GPU layers"); from: -1; to: (models.info.layers || 32) + 1; stepSize: 1; decimals: 0
            value: s.gpuLayers
            specialValue: -1; specialText: qsTr("auto")
            enabled: models.gpuAvailable
            hint: qsTr("-1: auto. Layers offloaded to the Vulkan device.")
            onEdited: (v) => s.gpuLayers = Math.round(v)
        }
        RowLayout {
            Layout.fillWidth: true
            Label { text: qsTr("GPU device"); Layout.preferredWidth: 110 }
            ComboBox {
                id: deviceBox
                objectName: "gpuDeviceBox"
                Layout.fillWidth: true
                enabled: models.gpuAvailable
                // The chosen device by name; "Automatic" lets the engine take the best one.
                readonly property var devices: models.devices
                readonly property int chosen: devices.findIndex(d => d.name === s.gpuDevice)
                model: [qsTr("Automatic")].concat(devices.map(d => d.name + " · " + d.kind))
                currentIndex: chosen < 0 ? 0 : chosen + 1
                onActivated: (i) => s.gpuDevice = i === 0 ? "" : devices[i - 1].name
                ToolTip.visible: hovered && s.gpuDevice !== "" && chosen < 0
                ToolTip.text: qsTr("%1 is not present; loading will report it").arg(s.gpuDevice)
            }
        }
        Label {
            objectName: "gpuLayersNote"
            Layout.fillWidth: true
            wrapMode: Text.WordWrap
            opacity: 0.75
            readonly property var device: models.gpuAvailable
                ? models.devices[deviceBox.chosen < 0 ? 0 : deviceBox.chosen] : null
            // "auto" leaves a software rasterizer alone: it is slower than the CPU path itself.
            text: !models.gpuAvailable ? models.gpuProblem
                 : (s.gpuLayers < 0 && device.kind === "software (CPU)")
                   ? qsTr("auto · %1 runs shaders on the CPU, so auto keeps every layer on the CPU; set a number to use it anyway").arg(device.name)
                 : (s.gpuLayers < 0 ? qsTr("auto") : s.gpuLayers + qsTr(" layers")) + " · "
                   + qsTr("needs about %1 of %2 on %3").arg(window.formatBytes(models.info.memoryBytes || 0))
                        .arg(window.formatBytes(device.memoryBytes)).arg(device.name)
        }
        LabeledSlider {
            objectName: "ropeBaseSlider"; Layout.fillWidth: true
            label: qsTr("RoPE base"); from: 0; to: 1000000; stepSize: 1000; decimals: 0; value: s.ropeBase
            specialValue: 0; specialText: qsTr("model")
            hint: qsTr("0: the model's own.")
            onEdited: (v) => s.ropeBase = v
        }
        LabeledSlider {
            objectName: "ropeScaleSlider"; Layout.fillWidth: true
            label: qsTr("RoPE scale"); from: 0; to: 8; stepSize: 0.05; value: s.ropeScale
            specialValue: 0; specialText: qsTr("model")
            hint: qsTr("0: the model's own; 0.5 doubles the usable context.")
            onEdited: (v) => s.ropeScale = v
        }
        Item { Layout.fillHeight: true }
    }

    Dialog {
        id: presetNameDialog
        title: qsTr("Save preset")
        standardButtons: Dialog.Ok | Dialog.Cancel
        anchors.centerIn: Overlay.overlay
        TextField { id: presetName; placeholderText: qsTr("Preset name") }
        onAccepted: presets.savePreset(presetName.text, conversationSettings)
    }
}
