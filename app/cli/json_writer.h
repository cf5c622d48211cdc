#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace fireside::cli {

// A small streaming JSON writer for command output: objects, arrays, strings (escaped, UTF-8 passed
// through, invalid bytes replaced by U+FFFD so the output always parses), integers and floats (shortest
// round-trip form; NaN and infinities become null).
class JsonWriter {
public:
    explicit JsonWriter(std::ostream& out, bool pretty = true) : out_(out), pretty_(pretty) {}

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view name);

    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
    JsonWriter& value(bool b);
    JsonWriter& value(int64_t n);
    JsonWriter& value(uint64_t n);
    JsonWriter& value(int n) { return value(static_cast<int64_t>(n)); }
    JsonWriter& value(uint32_t n) { return value(static_cast<uint64_t>(n)); }
    JsonWriter& value(double x);
    JsonWriter& value(float x);
    JsonWriter& null();

    // key + value in one call.
    template <typename T>
    JsonWriter& field(std::string_view name, const T& v) {
        key(name);
        return value(v);
    }

    // Ends the document with a newline.
    void finish();

private:
    void before_value();
    void newline();
    JsonWriter& close(char bracket);

    std::ostream& out_;
    bool pretty_;
    struct Level {
        bool array;
        bool empty;
    };
    std::vector<Level> stack_;
    bool after_key_ = false;
};

// `s` as a quoted JSON string.
std::string json_quote(std::string_view s);

} // namespace fireside::cli
