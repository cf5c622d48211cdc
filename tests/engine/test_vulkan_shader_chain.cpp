// The build-time shader chain end to end: every shaders/*.comp is embedded as SPIR-V, and the smallest
// of them runs on a real Vulkan device (Mesa's lavapipe in CI) with numerically checked results.
#include "engine/core/error.h"
#include "engine/vulkan/buffer.h"
#include "engine/vulkan/compute_pipeline.h"
#include "engine/vulkan/device.h"
#include "engine/vulkan/instance.h"
#include "shaders/embedded_shaders.h"
#include "tests/support/test_support.h"

#include <QtTest>
#include <cstring>
#include <vector>

using namespace fireside;

namespace {

struct SaxpyParams {
    uint32_t n;
    float a;
};

// Runs y = a*x + y for n values on the chosen device and returns y.
std::vector<float> run_saxpy(vk::Instance& instance, uint32_t n, float a) {
    vk::Device device(instance, instance.choose());
    vk::Buffer x(device, n * sizeof(float), vk::MemoryKind::HostVisible);
    vk::Buffer y(device, n * sizeof(float), vk::MemoryKind::HostVisible);
    auto* xs = static_cast<float*>(x.mapped());
    auto* ys = static_cast<float*>(y.mapped());
    for (uint32_t i = 0; i < n; ++i) {
        xs[i] = static_cast<float>(i) * 0.5f;
        ys[i] = 1000.0f - static_cast<float>(i);
    }
    vk::ComputePipeline saxpy(device, "saxpy", 2, sizeof(SaxpyParams));
    const vk::Buffer* buffers[] = {&x, &y};
    SaxpyParams params{n, a};
    device.submit_and_wait([&](VkCommandBuffer cmd) { saxpy.record(cmd, buffers, &params, (n + 63) / 64); });
    return std::vector<float>(ys, ys + n);
}

} // namespace

class TestVulkanShaderChain : public QObject {
    Q_OBJECT

private slots:
    void every_shader_is_embedded_spirv() {
        QVERIFY(!shaders::all().empty());
        for (const shaders::Shader& s : shaders::all()) {
            QVERIFY2(s.words.size() > 5, std::string(s.name).c_str());
            QCOMPARE(s.words[0], 0x07230203u); // SPIR-V magic number
        }
        QVERIFY(!shaders::find("saxpy").empty());
        QVERIFY(shaders::find("no_such_shader").empty());
    }

    void lists_a_device() {
        vk::Instance instance;
        QVERIFY2(!instance.devices().empty(), "no Vulkan device: is mesa-vulkan-drivers installed?");
        for (const vk::DeviceInfo& d : instance.devices()) {
            QVERIFY(!d.name.empty());
            QVERIFY(!d.vendor.empty());
            QVERIFY(d.api_version >= VK_API_VERSION_1_1);
        }
    }

    void choosing_an_unknown_device_names_the_available_ones() {
        vk::Instance instance;
        try {
            instance.choose(std::string("no-such-gpu-xyz"));
            QFAIL("expected an error");
        } catch (const Error& e) {
            QVERIFY(QString(e.what()).contains("no-such-gpu-xyz"));
            QVERIFY(QString(e.what()).contains(QString::fromStdString(instance.devices()[0].name)));
        }
        QCOMPARE(instance.choose(std::string("0")), 0u);
    }

    void saxpy_runs_and_is_exact() {
        vk::Instance instance;
        const uint32_t n = 1000; // not a multiple of the workgroup size: the bounds check matters
        const float a = 2.5f;
        std::vector<float> y = run_saxpy(instance, n, a);
        for (uint32_t i = 0; i < n; ++i) {
            float expected = a * (static_cast<float>(i) * 0.5f) + (1000.0f - static_cast<float>(i));
            QCOMPARE(y[i], expected);
        }
    }

    void validation_layer_reports_nothing() {
        vk::Instance instance(vk::InstanceOptions{.validation = true});
        std::vector<float> y = run_saxpy(instance, 130, -1.0f);
        QCOMPARE(y[129], -1.0f * 64.5f + (1000.0f - 129.0f));
        QVERIFY2(instance.validation_messages() == 0, instance.first_validation_message().c_str());
    }
};

QTEST_GUILESS_MAIN(TestVulkanShaderChain)
#include "test_vulkan_shader_chain.moc"
