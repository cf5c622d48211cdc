#pragma once

#include <stdexcept>
#include <string>

namespace fireside {

// Every failure the engine reports to its callers. The message is for the user: it names the file or
// setting involved and the problem, in one line, so the UI and the CLI can show it as it is.
class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// Thrown when a long operation (loading, quantizing, generating) is cancelled by its caller.
class Cancelled : public Error {
public:
    Cancelled() : Error("cancelled") {}
};

} // namespace fireside
