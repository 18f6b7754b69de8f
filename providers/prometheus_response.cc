#include "providers/prometheus_response.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/json_string.h"
#include "core/status_macros.h"

namespace augur::providers {
namespace {

// A strict JSON reader specialised for Prometheus API answers: one pass over the bytes, no
// document tree, the sample pairs on a fast path. Every malformed input is an error naming
// the byte offset; nothing is read past the end.
class Reader {
 public:
  explicit Reader(absl::string_view text, size_t base_offset = 0)
      : begin_(text.data()),
        p_(text.data()),
        end_(text.data() + text.size()),
        base_offset_(base_offset) {}

  absl::Status Error(absl::string_view what) const {
    return absl::DataLossError(absl::StrCat("malformed Prometheus API response: ", what,
                                            " at byte ", base_offset_ + (p_ - begin_)));
  }

  void SkipWhitespace() {
    while (p_ < end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }
  // The next non-blank character, or '\0' at the end.
  char Peek() {
    SkipWhitespace();
    return p_ < end_ ? *p_ : '\0';
  }
  bool Consume(char c) {
    if (Peek() != c) return false;
    ++p_;
    return true;
  }
  bool AtEnd() {
    SkipWhitespace();
    return p_ == end_;
  }
  size_t offset() const { return base_offset_ + (p_ - begin_); }
  const char* position() const { return p_; }

  // Calls member(key) with the reader on each member's value, which member must consume.
  template <typename F>
  absl::Status ParseObject(absl::string_view what, F&& member) {
    if (!Consume('{')) return Error(absl::StrCat("expected ", what, " (an object)"));
    if (Consume('}')) return absl::OkStatus();
    std::string key;
    for (;;) {
      if (Peek() != '"') return Error("expected a member name");
      AUGUR_RETURN_IF_ERROR(ParseString(&key));
      if (!Consume(':')) return Error("expected ':'");
      AUGUR_RETURN_IF_ERROR(member(key));
      if (Consume(',')) continue;
      if (Consume('}')) return absl::OkStatus();
      return Error("expected ',' or '}'");
    }
  }

  // Calls element() with the reader on each element, which element must consume.
  template <typename F>
  absl::Status ParseArray(absl::string_view what, F&& element) {
    if (!Consume('[')) return Error(absl::StrCat("expected ", what, " (an array)"));
    if (Consume(']')) return absl::OkStatus();
    for (;;) {
      AUGUR_RETURN_IF_ERROR(element());
      if (Consume(',')) continue;
      if (Consume(']')) return absl::OkStatus();
      return Error("expected ',' or ']'");
    }
  }

  absl::Status ParseString(std::string* out) {
    if (Peek() != '"') return Error("expected a string");
    ++p_;
    out->clear();
    for (;;) {
      const char* run = p_;
      while (p_ < end_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20) {
        ++p_;
      }
      out->append(run, p_ - run);
      if (p_ == end_) return Error("unterminated string");
      if (*p_ == '"') {
        ++p_;
        return absl::OkStatus();
      }
      if (*p_ != '\\') return Error("control character in a string");
      AUGUR_RETURN_IF_ERROR(ParseEscape(out));
    }
  }

  absl::Status SkipValue(int depth = 0) {
    if (depth > kMaxDepth) return Error("nested too deeply");
    switch (Peek()) {
      case '{':
        return ParseObject("a value", [&](absl::string_view) { return SkipValue(depth + 1); });
      case '[':
        return ParseArray("a value", [&] { return SkipValue(depth + 1); });
      case '"': {
        std::string ignored;
        return ParseString(&ignored);
      }
      case 't':
        return ConsumeWord("true");
      case 'f':
        return ConsumeWord("false");
      case 'n':
        return ConsumeWord("null");
      default: {
        absl::string_view token;
        return ParseNumberToken(&token);
      }
    }
  }

  // A sample: [timestamp, "value"]. The hot path of every answer: the form Prometheus writes,
  // [1795369440.123,"0.0497"], is read in one pass; anything else takes the general path.
  absl::Status ParsePoint(Point* point) {
    const char* c = p_;
    if (c < end_ && *c == '[') {
      ++c;
      const char* digits = c;
      int64_t whole = 0;
      uint64_t eight;
      if (end_ - c >= 8 && EightDigits(c, &eight)) {  // today's timestamps have 10 digits
        whole = static_cast<int64_t>(eight);
        c += 8;
      }
      while (c < end_ && IsDigit(*c) && c - digits < 13) whole = whole * 10 + (*c++ - '0');
      const bool whole_ok = c > digits && !(c - digits > 1 && *digits == '0');
      int64_t fraction = 0;
      int fraction_digits = 0;
      bool fraction_ok = true;
      if (c < end_ && *c == '.') {
        ++c;
        while (c < end_ && IsDigit(*c) && fraction_digits < 3) {
          fraction = fraction * 10 + (*c++ - '0');
          ++fraction_digits;
        }
        fraction_ok = fraction_digits > 0;
      }
      if (whole_ok && fraction_ok && end_ - c >= 2 && c[0] == ',' && c[1] == '"') {
        c += 2;
        const char* value_begin = c;
        double value = 0;
        bool parsed = FastDecimal(c, end_, &value);  // moves c to the first non-number byte
        while (c < end_ && *c != '"' && *c != '\\') ++c;
        if (end_ - c >= 2 && c[0] == '"' && c[1] == ']') {
          if (!parsed || c != fast_end_) {  // full-precision digits, exponents, NaN, ±Inf
            auto slow = ParseSampleValue(absl::string_view(value_begin, c - value_begin));
            parsed = slow.ok();
            if (parsed) value = *slow;
          }
          if (parsed) {
            for (; fraction_digits < 3; ++fraction_digits) fraction *= 10;
            point->timestamp_ms = whole * 1000 + fraction;
            point->value = value;
            p_ = c + 2;
            return absl::OkStatus();
          }
        }
      }
    }
    return ParsePointGeneral(point);
  }

 private:
  static constexpr int kMaxDepth = 64;

  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  // Reads 8 ASCII digits at once (SWAR, as in simdjson and fast_float); false if any byte is
  // not a digit.
  static bool EightDigits(const char* c, uint64_t* value) {
    static_assert(std::endian::native == std::endian::little, "the digit trick reads bytes LE");
    uint64_t x;
    std::memcpy(&x, c, 8);
    if ((((x & 0xF0F0F0F0F0F0F0F0) | (((x + 0x0606060606060606) & 0xF0F0F0F0F0F0F0F0) >> 4)) !=
         0x3333333333333333)) {
      return false;
    }
    x -= 0x3030303030303030;
    x = (x * 10) + (x >> 8);
    x = (((x & 0x000000FF000000FF) * (100 + (1000000ULL << 32))) +
         (((x >> 16) & 0x000000FF000000FF) * (1 + (10000ULL << 32)))) >>
        32;
    *value = x;
    return true;
  }

  // Reads a plain decimal ("0.0497", "-12", "3.") starting at `c`, advancing `c` past it and
  // recording where it stopped in fast_end_. Succeeds when it has at most 19 digits whose value
  // fits in 53 bits, at most 22 of them after the point: then digits / 10^k is one correctly
  // rounded IEEE division, the same double as from_chars gives (Clinger's fast path).
  bool FastDecimal(const char*& c, const char* end, double* value) {
    static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                        1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                        1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const bool negative = c < end && *c == '-';
    if (negative) ++c;
    uint64_t mantissa = 0;
    const char* digits_begin = c;
    while (c < end && IsDigit(*c)) mantissa = mantissa * 10 + static_cast<uint64_t>(*c++ - '0');
    int digits = static_cast<int>(c - digits_begin);
    int scale = 0;
    if (c < end && *c == '.') {
      const char* fraction_begin = ++c;
      while (c < end && IsDigit(*c)) mantissa = mantissa * 10 + static_cast<uint64_t>(*c++ - '0');
      scale = static_cast<int>(c - fraction_begin);
      digits += scale;
    }
    fast_end_ = c;
    if (digits == 0 || digits > 19 || mantissa > (uint64_t{1} << 53) || scale > 22) return false;
    const double magnitude = static_cast<double>(mantissa) / kPow10[scale];
    *value = negative ? -magnitude : magnitude;
    return true;
  }

  absl::Status ParsePointGeneral(Point* point) {
    if (!Consume('[')) return Error("expected a [timestamp, \"value\"] pair");
    AUGUR_RETURN_IF_ERROR(ParseTimestamp(&point->timestamp_ms));
    if (!Consume(',')) return Error("expected ',' after a sample's timestamp");
    if (Peek() != '"') return Error("a sample's value is not a string");
    std::string text;
    const char* start = p_;
    AUGUR_RETURN_IF_ERROR(ParseString(&text));
    auto value = ParseSampleValue(text);
    if (!value.ok()) {
      p_ = start;
      return Error(value.status().message());
    }
    point->value = *value;
    if (!Consume(']')) return Error("expected ']' after a sample's value");
    return absl::OkStatus();
  }

  absl::Status ConsumeWord(absl::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::memcmp(p_, word.data(), word.size())) {
      return Error("expected a JSON value");
    }
    p_ += word.size();
    return absl::OkStatus();
  }

  // JSON's number grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  absl::Status ParseNumberToken(absl::string_view* token) {
    SkipWhitespace();
    const char* start = p_;
    const auto digits = [this] {
      const char* from = p_;
      while (p_ < end_ && absl::ascii_isdigit(static_cast<unsigned char>(*p_))) ++p_;
      return p_ - from;
    };
    if (p_ < end_ && *p_ == '-') ++p_;
    if (p_ < end_ && *p_ == '0') {
      ++p_;
    } else if (digits() == 0) {
      p_ = start;
      return Error("expected a JSON value");
    }
    if (p_ < end_ && *p_ == '.') {
      ++p_;
      if (digits() == 0) return Error("expected digits after '.'");
    }
    if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (digits() == 0) return Error("expected digits in an exponent");
    }
    *token = absl::string_view(start, p_ - start);
    return absl::OkStatus();
  }

  // Unix seconds as a JSON number, to milliseconds. Plain decimals with up to three fraction
  // digits (all Prometheus writes) are converted exactly; other forms go through a double.
  absl::Status ParseTimestamp(int64_t* ms) {
    absl::string_view token;
    AUGUR_RETURN_IF_ERROR(ParseNumberToken(&token));
    const char* c = token.data();
    const char* const stop = c + token.size();
    int64_t whole = 0;
    int whole_digits = 0;
    while (c < stop && absl::ascii_isdigit(static_cast<unsigned char>(*c)) && whole_digits < 13) {
      whole = whole * 10 + (*c++ - '0');
      ++whole_digits;
    }
    int64_t fraction = 0;
    int fraction_digits = 0;
    if (c < stop && *c == '.') {
      ++c;
      while (c < stop && fraction_digits < 3 &&
             absl::ascii_isdigit(static_cast<unsigned char>(*c))) {
        fraction = fraction * 10 + (*c++ - '0');
        ++fraction_digits;
      }
    }
    if (c == stop && whole_digits > 0) {
      for (int i = fraction_digits; i < 3; ++i) fraction *= 10;
      *ms = whole * 1000 + fraction;
      return absl::OkStatus();
    }
    double seconds = 0;
    const auto [end, ec] = std::from_chars(token.data(), stop, seconds);
    if (ec != std::errc() || end != stop || !std::isfinite(seconds) || std::fabs(seconds) > 1e13) {
      return Error("a sample's timestamp is not a number of Unix seconds");
    }
    *ms = std::llround(seconds * 1000.0);
    return absl::OkStatus();
  }

  absl::Status ParseEscape(std::string* out) {
    ++p_;  // the backslash
    if (p_ == end_) return Error("unterminated string");
    const char c = *p_++;
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out->push_back(c);
        return absl::OkStatus();
      case 'b':
        out->push_back('\b');
        return absl::OkStatus();
      case 'f':
        out->push_back('\f');
        return absl::OkStatus();
      case 'n':
        out->push_back('\n');
        return absl::OkStatus();
      case 'r':
        out->push_back('\r');
        return absl::OkStatus();
      case 't':
        out->push_back('\t');
        return absl::OkStatus();
      case 'u':
        break;
      default:
        return Error("invalid escape in a string");
    }
    uint32_t code = 0;
    AUGUR_RETURN_IF_ERROR(ParseHex4(&code));
    if (code >= 0xD800 && code <= 0xDBFF && end_ - p_ >= 6 && p_[0] == '\\' && p_[1] == 'u') {
      const char* saved = p_;
      p_ += 2;
      uint32_t low = 0;
      AUGUR_RETURN_IF_ERROR(ParseHex4(&low));
      if (low >= 0xDC00 && low <= 0xDFFF) {
        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
      } else {
        p_ = saved;
      }
    }
    if (code >= 0xD800 && code <= 0xDFFF) code = 0xFFFD;  // a lone surrogate
    AppendUtf8(code, out);
    return absl::OkStatus();
  }

  absl::Status ParseHex4(uint32_t* code) {
    if (end_ - p_ < 4) return Error("truncated \\u escape");
    for (int i = 0; i < 4; ++i) {
      const char c = *p_++;
      uint32_t digit;
      if (c >= '0' && c <= '9') {
        digit = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        digit = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        digit = c - 'A' + 10;
      } else {
        return Error("invalid \\u escape");
      }
      *code = *code * 16 + digit;
    }
    return absl::OkStatus();
  }

  static void AppendUtf8(uint32_t code, std::string* out) {
    if (code < 0x80) {
      out->push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (code >> 6)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (code >> 12)));
      out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (code >> 18)));
      out->push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  }

  const char* const begin_;
  const char* p_;
  const char* const end_;
  const size_t base_offset_;
  const char* fast_end_ = nullptr;  // where the last FastDecimal stopped
};

absl::Status Malformed(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("malformed Prometheus API response: ", what));
}

absl::Status NativeHistogramError(const Labels& labels) {
  return absl::InvalidArgumentError(
      absl::StrCat("series ", FormatLabels(labels),
                   " holds native histogram samples, which augur cannot judge; wrap the query in "
                   "histogram_quantile(), histogram_count() or histogram_sum()"));
}

absl::Status ParseLabels(Reader& reader, Labels* labels) {
  labels->clear();
  std::string value;
  AUGUR_RETURN_IF_ERROR(reader.ParseObject("\"metric\"", [&](absl::string_view name) {
    if (reader.Peek() != '"')
      return reader.Error(absl::StrCat("label '", name, "' is not a string"));
    AUGUR_RETURN_IF_ERROR(reader.ParseString(&value));
    labels->emplace_back(std::string(name), value);
    return absl::OkStatus();
  }));
  std::sort(labels->begin(), labels->end());
  for (size_t i = 1; i < labels->size(); ++i) {
    if ((*labels)[i].first == (*labels)[i - 1].first) {
      return reader.Error(
          absl::StrCat("label '", (*labels)[i].first, "' appears twice in one series"));
    }
  }
  return absl::OkStatus();
}

absl::Status ParseSeries(Reader& reader, bool range, Series* series) {
  bool has_samples = false;
  bool has_labels = false;
  bool histogram = false;
  AUGUR_RETURN_IF_ERROR(reader.ParseObject("a series", [&](absl::string_view key) {
    if (key == "metric") {
      if (has_labels) return reader.Error("\"metric\" appears twice in a series");
      has_labels = true;
      return ParseLabels(reader, &series->labels);
    }
    if (key == (range ? "values" : "value")) {
      if (has_samples) return reader.Error(absl::StrCat("\"", key, "\" appears twice in a series"));
      has_samples = true;
      if (!range) {
        series->points.resize(1);
        return reader.ParsePoint(&series->points[0]);
      }
      AUGUR_RETURN_IF_ERROR(reader.ParseArray("\"values\"", [&] {
        series->points.emplace_back();
        return reader.ParsePoint(&series->points.back());
      }));
      // Checked after the loop, which keeps the per-sample path short.
      for (size_t i = 1; i < series->points.size(); ++i) {
        if (series->points[i].timestamp_ms <= series->points[i - 1].timestamp_ms) {
          return reader.Error(absl::StrCat("a series' sample timestamps do not increase (sample ",
                                           i + 1, " of the series ending here)"));
        }
      }
      return absl::OkStatus();
    }
    if (key == "histogram" || key == "histograms") histogram = true;
    return reader.SkipValue();
  }));
  if (histogram) return NativeHistogramError(series->labels);
  if (!has_samples) {
    return reader.Error(range ? "a matrix series has no \"values\" array"
                              : "a vector sample has no \"value\"");
  }
  return absl::OkStatus();
}

absl::Status ParseResult(Reader& reader, absl::string_view type, QueryResult* result) {
  if (type == "scalar") {
    result->type = ResultType::kScalar;
    result->series.resize(1);
    result->series[0].points.resize(1);
    return reader.ParsePoint(&result->series[0].points[0]);
  }
  if (type == "string") {
    return absl::InvalidArgumentError(
        "the query returned a string, not numbers; augur judges vectors, matrices and scalars");
  }
  const bool range = type == "matrix";
  if (!range && type != "vector")
    return reader.Error(absl::StrCat("unknown resultType '", type, "'"));
  result->type = range ? ResultType::kMatrix : ResultType::kVector;
  return reader.ParseArray("\"data.result\"", [&] {
    // Series of one answer usually have the same number of points: reserve what the last had.
    const size_t expected = result->series.empty() ? 0 : result->series.back().points.size();
    result->series.emplace_back();
    result->series.back().points.reserve(expected);
    return ParseSeries(reader, range, &result->series.back());
  });
}

// "data": {"resultType": ..., "result": ...}. Prometheus writes resultType first; when another
// backend does not, the result is skipped once and read again when its type is known.
absl::Status ParseData(Reader& reader, absl::string_view body, QueryResult* result) {
  std::string type;
  bool has_type = false;
  bool has_result = false;
  size_t deferred_begin = 0, deferred_end = 0;
  AUGUR_RETURN_IF_ERROR(reader.ParseObject("\"data\"", [&](absl::string_view key) {
    if ((key == "resultType" && has_type) || (key == "result" && has_result)) {
      return reader.Error(absl::StrCat("\"data.", key, "\" appears twice"));
    }
    if (key == "resultType") {
      has_type = true;
      return reader.ParseString(&type);
    }
    if (key == "result") {
      has_result = true;
      if (has_type) return ParseResult(reader, type, result);
      reader.SkipWhitespace();
      deferred_begin = reader.offset();
      AUGUR_RETURN_IF_ERROR(reader.SkipValue());
      deferred_end = reader.offset();
      return absl::OkStatus();
    }
    return reader.SkipValue();
  }));
  if (!has_type) return reader.Error("no \"data.resultType\" string");
  if (!has_result) return reader.Error("no \"data.result\"");
  if (deferred_end > deferred_begin) {
    Reader deferred(body.substr(deferred_begin, deferred_end - deferred_begin), deferred_begin);
    return ParseResult(deferred, type, result);
  }
  return absl::OkStatus();
}

void AppendPoint(std::string& out, const Point& point) {
  out.push_back('[');
  const int64_t ms = point.timestamp_ms;
  if (ms < 0) out.push_back('-');
  const uint64_t magnitude = ms < 0 ? 0 - static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms);
  const uint64_t seconds = magnitude / 1000;
  const uint64_t millis = magnitude % 1000;
  absl::StrAppend(&out, seconds);
  if (millis != 0) {
    char digits[4] = {static_cast<char>('0' + millis / 100),
                      static_cast<char>('0' + millis / 10 % 10),
                      static_cast<char>('0' + millis % 10), 0};
    int length = 3;
    while (digits[length - 1] == '0') --length;
    out.push_back('.');
    out.append(digits, length);
  }
  out.append(",\"");
  out.append(FormatSampleValue(point.value));
  out.append("\"]");
}

void AppendLabels(std::string& out, const Labels& labels) {
  out.push_back('{');
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out.push_back(',');
    first = false;
    AppendJsonString(out, name);
    out.push_back(':');
    AppendJsonString(out, value);
  }
  out.push_back('}');
}

}  // namespace

absl::StatusOr<double> ParseSampleValue(absl::string_view text) {
  if (!text.empty() && absl::ascii_isdigit(static_cast<unsigned char>(text[0]))) {
    double value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && ptr == text.data() + text.size()) return value;
  }
  absl::string_view rest = text;
  bool negative = false;
  if (!rest.empty() && (rest[0] == '+' || rest[0] == '-')) {
    negative = rest[0] == '-';
    rest.remove_prefix(1);
  }
  if (absl::EqualsIgnoreCase(rest, "inf") || absl::EqualsIgnoreCase(rest, "infinity")) {
    return negative ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity();
  }
  if (absl::EqualsIgnoreCase(rest, "nan")) return std::numeric_limits<double>::quiet_NaN();
  double value = 0;
  const char* begin = text.data() + (text.size() - rest.size());
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(begin, end, value);
  // Out-of-range decimals are ±Inf or 0 as strtod gives them; only malformed text is an error.
  if (rest.empty() || ptr != end || (ec != std::errc() && ec != std::errc::result_out_of_range) ||
      !(absl::ascii_isdigit(static_cast<unsigned char>(rest[0])) || rest[0] == '.')) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not a sample value"));
  }
  if (ec == std::errc::result_out_of_range) value = std::strtod(std::string(rest).c_str(), nullptr);
  return negative ? -value : value;
}

std::string FormatSampleValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[32];
  const auto [ptr, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, ptr);
}

absl::Status PrometheusErrorStatus(absl::string_view error_type, absl::string_view error,
                                   int http_status) {
  const std::string message = absl::StrCat("Prometheus error (", error_type, "): ", error);
  if (error_type == "bad_data" || error_type == "execution") {
    return absl::InvalidArgumentError(message);
  }
  if (error_type == "timeout") return absl::DeadlineExceededError(message);
  const bool known =
      error_type == "canceled" || error_type == "unavailable" || error_type == "internal";
  if (!known && (http_status == 400 || http_status == 422)) {
    return absl::InvalidArgumentError(message);
  }
  return absl::UnavailableError(message);
}

absl::StatusOr<QueryResult> ParsePrometheusResponse(absl::string_view body, int http_status) {
  Reader reader(body);
  QueryResult result;
  std::string status, error_type, error;
  bool has_status = false, has_error_type = false, has_error = false, has_data = false;
  absl::Status parsed = reader.ParseObject("the answer", [&](absl::string_view key) {
    if ((key == "status" && has_status) || (key == "data" && has_data)) {
      return reader.Error(absl::StrCat("\"", key, "\" appears twice"));
    }
    if (key == "status") {
      has_status = true;
      return reader.ParseString(&status);
    }
    if (key == "errorType") {
      has_error_type = true;
      return reader.ParseString(&error_type);
    }
    if (key == "error") {
      has_error = true;
      return reader.ParseString(&error);
    }
    if (key == "warnings") {
      return reader.ParseArray("\"warnings\"", [&] {
        result.warnings.emplace_back();
        return reader.ParseString(&result.warnings.back());
      });
    }
    if (key == "data" && reader.Peek() == '{') {
      has_data = true;
      return ParseData(reader, body, &result);
    }
    return reader.SkipValue();
  });
  if (!parsed.ok()) {
    // An error answer is reported as such even if a later part is damaged.
    if (has_status && status == "error" && has_error) {
      return PrometheusErrorStatus(has_error_type ? error_type : "unknown", error, http_status);
    }
    return parsed;
  }
  if (!reader.AtEnd()) return reader.Error("unexpected text after the answer");
  if (!has_status) return Malformed("no \"status\" string");
  if (status == "error") {
    return PrometheusErrorStatus(has_error_type ? error_type : "unknown",
                                 has_error ? error : "(no message)", http_status);
  }
  if (status != "success") return Malformed(absl::StrCat("unknown status '", status, "'"));
  if (!has_data) return Malformed("no \"data\" object");
  return result;
}

std::string PrometheusResponseJson(const QueryResult& result) {
  std::string out = "{\"status\":\"success\",\"data\":{\"resultType\":";
  AppendJsonString(out, ResultTypeName(result.type));
  out.append(",\"result\":");
  if (result.type == ResultType::kScalar) {
    if (result.series.empty() || result.series[0].points.empty()) {
      out.append("[]");
    } else {
      AppendPoint(out, result.series[0].points[0]);
    }
  } else {
    out.push_back('[');
    bool first_series = true;
    for (const Series& series : result.series) {
      if (!first_series) out.push_back(',');
      first_series = false;
      out.append("{\"metric\":");
      AppendLabels(out, series.labels);
      if (result.type == ResultType::kVector) {
        out.append(",\"value\":");
        if (series.points.empty()) {
          out.append("[]");
        } else {
          AppendPoint(out, series.points[0]);
        }
      } else {
        out.append(",\"values\":[");
        bool first_point = true;
        for (const Point& point : series.points) {
          if (!first_point) out.push_back(',');
          first_point = false;
          AppendPoint(out, point);
        }
        out.push_back(']');
      }
      out.push_back('}');
    }
    out.push_back(']');
  }
  out.push_back('}');
  if (!result.warnings.empty()) {
    out.append(",\"warnings\":[");
    for (size_t i = 0; i < result.warnings.size(); ++i) {
      if (i > 0) out.push_back(',');
      AppendJsonString(out, result.warnings[i]);
    }
    out.push_back(']');
  }
  out.push_back('}');
  return out;
}

}  // namespace augur::providers
