#pragma once

#include "ui/engine/engine_requests.h"

#include <QJsonObject>
#include <QObject>
#include <QString>

namespace fireside::ui {

// The settings of one conversation: system prompt, template, sampling, and the load settings
// (context, GPU layers, RoPE) that need a reload when they change. Every change is applied to the
// next generation; `changed` drives autosave, `loadSettingsChanged` a reload. Out-of-range values
// are clamped to the ranges the settings panel offers.
class GenerationSettings : public QObject {
    Q_OBJECT
    Q_PROPERTY(QString systemPrompt READ systemPrompt WRITE setSystemPrompt NOTIFY changed)
    Q_PROPERTY(QString templateName READ templateName WRITE setTemplateName NOTIFY changed)
    Q_PROPERTY(QString customTemplate READ customTemplate WRITE setCustomTemplate NOTIFY changed)
    Q_PROPERTY(double temperature READ temperature WRITE setTemperature NOTIFY changed)
    Q_PROPERTY(int topK READ topK WRITE setTopK NOTIFY changed)
    Q_PROPERTY(double topP READ topP WRITE setTopP NOTIFY changed)
    Q_PROPERTY(double minP READ minP WRITE setMinP NOTIFY changed)
    Q_PROPERTY(double repeatPenalty READ repeatPenalty WRITE setRepeatPenalty NOTIFY changed)
    Q_PROPERTY(int repeatLastN READ repeatLastN WRITE setRepeatLastN NOTIFY changed)
    Q_PROPERTY(int maxNewTokens READ maxNewTokens WRITE setMaxNewTokens NOTIFY changed)
    Q_PROPERTY(int seed READ seed WRITE setSeed NOTIFY changed)
    Q_PROPERTY(int contextLength READ contextLength WRITE setContextLength NOTIFY changed)
    Q_PROPERTY(int gpuLayers READ gpuLayers WRITE setGpuLayers NOTIFY changed)
    Q_PROPERTY(QString gpuDevice READ gpuDevice WRITE setGpuDevice NOTIFY changed)
    Q_PROPERTY(double ropeBase READ ropeBase WRITE setRopeBase NOTIFY changed)
    Q_PROPERTY(double ropeScale READ ropeScale WRITE setRopeScale NOTIFY changed)

public:
    explicit GenerationSettings(QObject* parent = nullptr);

    QString systemPrompt() const { return systemPrompt_; }
    void setSystemPrompt(const QString& value);
    QString templateName() const { return templateName_; }
    void setTemplateName(const QString& value);
    QString customTemplate() const { return customTemplate_; }
    void setCustomTemplate(const QString& value);
    double temperature() const { return temperature_; }
    void setTemperature(double value);
    int topK() const { return topK_; }
    void setTopK(int value);
    double topP() const { return topP_; }
    void setTopP(double value);
    double minP() const { return minP_; }
    void setMinP(double value);
    double repeatPenalty() const { return repeatPenalty_; }
    void setRepeatPenalty(double value);
    int repeatLastN() const { return repeatLastN_; }
    void setRepeatLastN(int value);
    int maxNewTokens() const { return maxNewTokens_; }
    void setMaxNewTokens(int value);
    int seed() const { return seed_; }
    void setSeed(int value);
    int contextLength() const { return contextLength_; }
    void setContextLength(int value);
    int gpuLayers() const { return gpuLayers_; }
    void setGpuLayers(int value);
    // The Vulkan device the GPU layers run on, by name; empty: the best one.
    QString gpuDevice() const { return gpuDevice_; }
    void setGpuDevice(const QString& value);
    double ropeBase() const { return ropeBase_; }
    void setRopeBase(double value);
    double ropeScale() const { return ropeScale_; }
    void setRopeScale(double value);

    QJsonObject toJson() const;
    // Missing keys keep their defaults.
    void fromJson(const QJsonObject& json);
    Q_INVOKABLE void copyFrom(const GenerationSettings* other);
    Q_INVOKABLE void resetToDefaults();

    // What the engine receives: the sampler and limits for a generation, the template, and the load.
    // A random seed (-1) is drawn here, so each generation gets its own.
    GenerationOptions generationOptions() const;
    TemplateChoice templateChoice() const;
    void applyToLoad(LoadRequest& request) const;
    // The system prompt for a Conversation: empty means the template's default.
    std::optional<std::string> system() const;

signals:
    void changed();
    void loadSettingsChanged();

private:
    QString systemPrompt_ = QString();
    QString templateName_ = QStringLiteral("orca-hashes");
    QString customTemplate_ = QStringLiteral("### User:\\n{user}\\n\\n### Response:\\n{assistant}\\n\\n");
    double temperature_ = 0.8;
    int topK_ = 40;
    double topP_ = 0.95;
    double minP_ = 0.0;
    double repeatPenalty_ = 1.1;
    int repeatLastN_ = 64;
    int maxNewTokens_ = 512;
    int seed_ = -1;
    int contextLength_ = 0; // 0: the model's own, at most 4096
    int gpuLayers_ = -1;
    QString gpuDevice_;
    double ropeBase_ = 0.0;
    double ropeScale_ = 0.0;
};

} // namespace fireside::ui
