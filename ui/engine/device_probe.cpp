#include "ui/engine/device_probe.h"

#include "engine/core/error.h"
#include "engine/vulkan/instance.h"

#include <QVariantMap>

namespace fireside::ui {

QVariantList probe_vulkan_devices(QString& problem) {
    QVariantList devices;
    try {
        vk::Instance instance;
        for (const vk::DeviceInfo& info : instance.devices()) {
            devices.append(QVariantMap{
                {"index", int(info.index)},
                {"name", QString::fromStdString(info.name)},
                {"kind", QString::fromUtf8(vk::kind_name(info.kind))},
                {"memoryBytes", qint64(info.budget_bytes ? info.budget_bytes : info.device_local_bytes)},
            });
        }
        if (devices.isEmpty()) problem = QStringLiteral("Vulkan is installed but reports no device.");
    } catch (const std::exception& e) {
        problem = QString::fromStdString(e.what());
    }
    return devices;
}

} // namespace fireside::ui
