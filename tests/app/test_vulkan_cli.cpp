// GPU layers through the commands users run: --ngl and --device reach the Vulkan backend (Mesa's
// lavapipe in CI), give the CPU's logits up to summation order, "auto" never picks a software
// rasterizer, and a chat whose context fills keeps working with GPU layers (the session moves the
// GPU's cache to drop old turns).
#include "engine/model/load_llama_model.h"
#include "engine/session/chat_session.h"
#include "engine/vulkan/instance.h"
#include "tests/support/cli_runner.h"
#include "tests/support/logit_metrics.h"
#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace fireside;

class TestVulkanCli : public QObject {
    Q_OBJECT

    QTemporaryDir dir_;
    std::string model_;
    const std::vector<int32_t> tokens_ = {1, 7, 42, 299, 5, 77, 123, 250};

    std::string path(const char* name) const {
        return (std::filesystem::path(dir_.path().toStdString()) / name).string();
    }

    std::vector<float> cli_logits(std::vector<std::string> extra, std::string* err = nullptr) {
        const std::string out = path("logits.f32");
        std::vector<std::string> args = {"logits", "-m", model_, "--tokens", "1,7,42,299,5,77,123,250",
                                         "--out",  out,  "-t",   "2"};
        args.insert(args.end(), extra.begin(), extra.end());
        const test::CliResult r = test::run_cli(args);
        if (err) *err = r.err;
        if (r.status != 0) return {};
        return test::read_f32(out);
    }

private slots:
    void initTestCase() {
        model_ = path("tiny-f32.bin");
        const auto synth = test::run_cli(
            {"synth", "--n-embd",  "256", "--n-head", "4",   "--n-head-kv", "2", "--n-layer", "3", "--n-ff",
             "768",   "--n-vocab", "300", "--type",   "f32", "--seed",      "3", "-t",        "2", model_});
        QVERIFY2(synth.status == 0, synth.err.c_str());
    }

    void logits_with_gpu_layers_match_the_cpu() {
        const std::vector<float> cpu = cli_logits({});
        QCOMPARE(cpu.size(), tokens_.size() * 300);
        for (const char* ngl : {"all", "2", "4"}) {
            std::string err;
            const std::vector<float> gpu = cli_logits({"--ngl", ngl}, &err);
            QVERIFY2(!gpu.empty(), err.c_str());
            QVERIFY2(err.find("GPU: ") != std::string::npos, err.c_str()); // it says where it runs
            // f32 weights: both backends compute in f32, so only summation order separates them (the
            // kernels of every block type are held to the scalar reference in test_vulkan_kernels).
            const test::Metrics m = test::compare(gpu, cpu, 300, 0.02);
            QVERIFY2(
                m.rms_ratio < 1e-3 && m.max_abs_diff < 0.02,
                qPrintable(QString("ngl %1: rms %2 max %3").arg(ngl).arg(m.rms_ratio).arg(m.max_abs_diff)));
            QCOMPARE(m.margin_violations, 0);
        }
    }

    void auto_never_picks_a_software_rasterizer() {
        vk::Instance instance;
        const bool only_software = std::ranges::all_of(
            instance.devices(), [](const vk::DeviceInfo& d) { return d.kind == vk::DeviceKind::Software; });
        if (!only_software) QSKIP("this machine has a real GPU: auto would use it");
        std::string err;
        const std::vector<float> automatic = cli_logits({"--ngl", "auto"}, &err);
        QVERIFY2(!automatic.empty(), err.c_str());
        QVERIFY2(err.find("GPU: ") == std::string::npos, err.c_str());
        QCOMPARE(automatic, cli_logits({})); // the same CPU code, bit for bit
        // Named, it is used.
        const std::string name = instance.devices()[0].name;
        QVERIFY(!cli_logits({"--ngl", "auto", "--device", "0"}, &err).empty());
        QVERIFY2(err.find("GPU: " + name) != std::string::npos, err.c_str());
    }

    void a_device_that_does_not_exist_is_an_error() {
        std::string err;
        QVERIFY(cli_logits({"--ngl", "all", "--device", "no-such-gpu"}, &err).empty());
        QVERIFY2(err.find("no Vulkan device matches 'no-such-gpu'") != std::string::npos, err.c_str());
        QVERIFY(cli_logits({"--ngl", "lots"}, &err).empty());
        QVERIFY2(err.find("--ngl: 'lots'") != std::string::npos, err.c_str());
    }

    void run_reports_the_device() {
        const test::CliResult r =
            test::run_cli({"run", "-m", model_, "-p", "Hello", "-n", "4", "--temp", "0", "--ngl", "all"});
        QVERIFY2(r.status == 0, r.err.c_str());
        QVERIFY2(r.err.find("GPU: ") != std::string::npos, r.err.c_str());
        QVERIFY2(r.err.find("4 of 4 layers") != std::string::npos, r.err.c_str());
    }

    // The GPU layers' cache cannot be moved, so a full context is handled by evaluating the kept turns
    // again: the conversation goes on, and the answer is the CPU's (greedy, same kept text).
    // With GPU layers the CPU's bandwidth ceiling would be a misleading ratio: bench names the
    // device's kind instead and gives no ceiling; a CPU run still gets one.
    void bench_reports_no_cpu_ceiling_for_gpu_runs() {
        const auto gpu = test::run_cli({"bench", "-m", model_, "--ngl", "all", "--device", "0", "-p", "0",
                                        "-n", "2", "-r", "1", "-t", "2"});
        QVERIFY2(gpu.status == 0, gpu.err.c_str());
        QVERIFY2(gpu.out.find("software (CPU)") != std::string::npos, gpu.out.c_str());
        QVERIFY2(gpu.out.find("ceiling          none for GPU runs") != std::string::npos, gpu.out.c_str());
        QVERIFY2(gpu.out.find("GB/s") == std::string::npos, gpu.out.c_str());
        const auto json = test::run_cli({"bench", "-m", model_, "--ngl", "all", "--device", "0", "-p", "0",
                                         "-n", "2", "-r", "1", "-t", "2", "--json"});
        QVERIFY2(json.status == 0, json.err.c_str());
        QVERIFY2(json.out.find("\"ceiling_tps\": null") != std::string::npos, json.out.c_str());
        QVERIFY2(json.out.find("\"gpu_kind\": \"software (CPU)\"") != std::string::npos, json.out.c_str());
        const auto cpu =
            test::run_cli({"bench", "-m", model_, "-p", "0", "-n", "2", "-r", "1", "-t", "2", "--json"});
        QVERIFY2(cpu.status == 0, cpu.err.c_str());
        QVERIFY2(cpu.out.find("\"ceiling_tps\": null") == std::string::npos, cpu.out.c_str());
        QVERIFY2(cpu.out.find("\"ceiling_tps\": ") != std::string::npos, cpu.out.c_str());
    }

    void a_full_context_keeps_working_with_gpu_layers() {
        LlamaModelOptions options;
        options.n_ctx = 96;
        options.n_threads = 2;
        options.n_gpu_layers = kAllGpuLayers;
        auto gpu = load_llama_model(model_, {}, std::nullopt, options);
        QCOMPARE(gpu->n_gpu_layers(), int64_t{4});
        // The GPU backend moves its cache: the session keeps the kept turns instead of evaluating them
        // again (test_vulkan_forward compares the moved cache's logits with the CPU's).
        ChatSession session(*gpu, PromptTemplate::builtin("raw"));
        GenerationOptions greedy;
        greedy.sampler.temperature = 0;
        greedy.max_new_tokens = 6;
        Conversation c;
        int64_t dropped = 0;
        for (int turn = 0; turn < 8; ++turn) {
            c.turns.push_back({ChatRole::User, "tell me more about turn " + std::to_string(turn)});
            const GenerationStats s = session.reply(c, greedy, {});
            QVERIFY(session.context_used() <= 96);
            dropped += s.dropped_turns;
            c.turns.push_back({ChatRole::Assistant, s.answer});
        }
        QVERIFY(dropped > 0);
        QCOMPARE(gpu->n_gpu_layers(), int64_t{4}); // still on the GPU: nothing failed
    }
};

QTEST_GUILESS_MAIN(TestVulkanCli)
#include "test_vulkan_cli.moc"
