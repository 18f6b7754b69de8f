#include "providers/prometheus_response.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "simdjson.h"

namespace augur::providers {
namespace {

namespace dom = simdjson::dom;

// Debian's Abseil has its own string_view type; simdjson hands out std::string_view.
absl::string_view View(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

absl::Status Malformed(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("malformed Prometheus API response: ", what));
}

absl::Status JsonError(simdjson::error_code error) {
  return Malformed(absl::StrCat("not valid JSON (", simdjson::error_message(error), ")"));
}

absl::StatusOr<int64_t> ParseTimestamp(dom::element element) {
  double seconds = 0;
  if (element.get_double().get(seconds) != simdjson::SUCCESS || !std::isfinite(seconds) ||
      std::fabs(seconds) > 1e13) {
    return Malformed("a sample's timestamp is not a number of Unix seconds");
  }
  return std::llround(seconds * 1000.0);
}

// A sample is [timestamp, "value"].
absl::StatusOr<Point> ParsePoint(dom::element element) {
  dom::array pair;
  if (element.get_array().get(pair) != simdjson::SUCCESS || pair.size() != 2) {
    return Malformed("a sample is not a [timestamp, \"value\"] pair");
  }
  Point point;
  auto timestamp = ParseTimestamp(pair.at(0).value_unsafe());
  if (!timestamp.ok()) return timestamp.status();
  point.timestamp_ms = *timestamp;
  std::string_view text;
  if (pair.at(1).get_string().get(text) != simdjson::SUCCESS) {
    return Malformed("a sample's value is not a string");
  }
  auto value = ParseSampleValue(View(text));
  if (!value.ok()) return Malformed(value.status().message());
  point.value = *value;
  return point;
}

absl::StatusOr<Labels> ParseLabels(dom::element element) {
  dom::object object;
  if (element.get_object().get(object) != simdjson::SUCCESS) {
    return Malformed("a series' \"metric\" is not an object");
  }
  Labels labels;
  labels.reserve(object.size());
  for (dom::key_value_pair field : object) {
    std::string_view value;
    if (field.value.get_string().get(value) != simdjson::SUCCESS) {
      return Malformed(absl::StrCat("label '", View(field.key), "' is not a string"));
    }
    labels.emplace_back(std::string(field.key), std::string(value));
  }
  std::sort(labels.begin(), labels.end());
  for (size_t i = 1; i < labels.size(); ++i) {
    if (labels[i].first == labels[i - 1].first) {
      return Malformed(absl::StrCat("label '", labels[i].first, "' appears twice in one series"));
    }
  }
  return labels;
}

absl::Status NativeHistogramError(const Labels& labels) {
  return absl::InvalidArgumentError(
      absl::StrCat("series ", FormatLabels(labels),
                   " holds native histogram samples, which augur cannot judge; wrap the query in "
                   "histogram_quantile(), histogram_count() or histogram_sum()"));
}

absl::StatusOr<Series> ParseSeries(dom::element element, bool range) {
  dom::object object;
  if (element.get_object().get(object) != simdjson::SUCCESS) {
    return Malformed("a result entry is not an object");
  }
  Series series;
  dom::element metric;
  if (object["metric"].get(metric) == simdjson::SUCCESS) {
    auto labels = ParseLabels(metric);
    if (!labels.ok()) return labels.status();
    series.labels = *std::move(labels);
  }
  if (object[range ? "histograms" : "histogram"].error() == simdjson::SUCCESS) {
    return NativeHistogramError(series.labels);
  }
  if (range) {
    dom::array values;
    if (object["values"].get_array().get(values) != simdjson::SUCCESS) {
      return Malformed("a matrix series has no \"values\" array");
    }
    series.points.reserve(values.size());
    for (dom::element value : values) {
      auto point = ParsePoint(value);
      if (!point.ok()) return point.status();
      series.points.push_back(*point);
    }
  } else {
    dom::element value;
    if (object["value"].get(value) != simdjson::SUCCESS) {
      return Malformed("a vector sample has no \"value\"");
    }
    auto point = ParsePoint(value);
    if (!point.ok()) return point.status();
    series.points.push_back(*point);
  }
  return series;
}

absl::Status ParseWarnings(dom::object root, QueryResult& result) {
  dom::element warnings;
  if (root["warnings"].get(warnings) != simdjson::SUCCESS) return absl::OkStatus();
  dom::array array;
  if (warnings.get_array().get(array) != simdjson::SUCCESS) {
    return Malformed("\"warnings\" is not an array");
  }
  for (dom::element warning : array) {
    std::string_view text;
    if (warning.get_string().get(text) != simdjson::SUCCESS) {
      return Malformed("a warning is not a string");
    }
    result.warnings.emplace_back(text);
  }
  return absl::OkStatus();
}

void AppendJsonString(std::string& out, absl::string_view text) {
  out.push_back('"');
  for (unsigned char c : text) {
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        if (c < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out.append("\\u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 15]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

void AppendPoint(std::string& out, const Point& point) {
  out.push_back('[');
  int64_t ms = point.timestamp_ms;
  if (ms < 0) {
    out.push_back('-');
    ms = -ms;
  }
  const int64_t seconds = ms / 1000;
  const int64_t millis = ms % 1000;
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
  dom::parser parser;
  dom::element root_element;
  if (auto error = parser.parse(body.data(), body.size()).get(root_element); error) {
    return JsonError(error);
  }
  dom::object root;
  if (root_element.get_object().get(root) != simdjson::SUCCESS) {
    return Malformed("the body is not a JSON object");
  }
  std::string_view status;
  if (root["status"].get_string().get(status) != simdjson::SUCCESS) {
    return Malformed("no \"status\" string");
  }
  if (status == "error") {
    std::string_view error_type = "unknown";
    std::string_view error = "(no message)";
    if (root["errorType"].get_string().get(error_type) != simdjson::SUCCESS) {
      error_type = "unknown";
    }
    if (root["error"].get_string().get(error) != simdjson::SUCCESS) error = "(no message)";
    return PrometheusErrorStatus(View(error_type), View(error), http_status);
  }
  if (status != "success") return Malformed(absl::StrCat("unknown status '", View(status), "'"));

  QueryResult result;
  if (absl::Status s = ParseWarnings(root, result); !s.ok()) return s;
  dom::object data;
  if (root["data"].get_object().get(data) != simdjson::SUCCESS) {
    return Malformed("no \"data\" object");
  }
  std::string_view type;
  if (data["resultType"].get_string().get(type) != simdjson::SUCCESS) {
    return Malformed("no \"data.resultType\" string");
  }
  dom::element result_element;
  if (data["result"].get(result_element) != simdjson::SUCCESS) {
    return Malformed("no \"data.result\"");
  }
  if (type == "scalar") {
    result.type = ResultType::kScalar;
    auto point = ParsePoint(result_element);
    if (!point.ok()) return point.status();
    result.series.push_back(Series{{}, {*point}});
    return result;
  }
  if (type == "string") {
    return absl::InvalidArgumentError(
        "the query returned a string, not numbers; augur judges vectors, matrices and scalars");
  }
  const bool range = type == "matrix";
  if (!range && type != "vector") {
    return Malformed(absl::StrCat("unknown resultType '", View(type), "'"));
  }
  result.type = range ? ResultType::kMatrix : ResultType::kVector;
  dom::array entries;
  if (result_element.get_array().get(entries) != simdjson::SUCCESS) {
    return Malformed("\"data.result\" is not an array");
  }
  result.series.reserve(entries.size());
  for (dom::element entry : entries) {
    auto series = ParseSeries(entry, range);
    if (!series.ok()) return series.status();
    result.series.push_back(*std::move(series));
  }
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
