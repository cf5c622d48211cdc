#pragma once

#include "engine/format/tensor_stream.h"

#include <chrono>
#include <ostream>
#include <string>

namespace fireside::cli {

// True when `stream` is the process's stderr and that is a terminal (a redrawn bar makes sense there;
// redirected output and in-process test streams get plain lines instead).
bool is_terminal(const std::ostream& stream);

// Progress of a model write on stderr: a bar redrawn in place on a terminal, else one line per tensor.
class ProgressBar {
public:
    ProgressBar(std::ostream& err, bool terminal) : err_(err), terminal_(terminal) {}
    void update(const WriteProgress& p);
    // Ends the bar's line (on a terminal); call once the write succeeded or failed.
    void finish();

private:
    std::ostream& err_;
    bool terminal_;
    size_t last_tensor_ = static_cast<size_t>(-1);
    int last_permille_ = -1;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point last_draw_{};
};

} // namespace fireside::cli
