#include "providers/series_csv.h"

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "core/time_parse.h"
#include "providers/prometheus_response.h"

namespace augur::providers {
namespace {

void AppendField(std::string& out, absl::string_view field) {
  const bool quote = field.find_first_of(",\"\r\n") != absl::string_view::npos ||
                     (!field.empty() && (field.front() == ' ' || field.back() == ' '));
  if (!quote) {
    out.append(field.data(), field.size());
    return;
  }
  out.push_back('"');
  for (char c : field) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

std::string FormatTimestamp(int64_t ms) { return FormatUnixSeconds(absl::FromUnixMillis(ms)); }

// Splits one CSV record starting at `pos`; advances `pos` past its line end. Quoted fields may
// hold commas, doubled quotes and line breaks (`line` counts them).
absl::StatusOr<std::vector<std::string>> ReadRecord(absl::string_view text, size_t& pos, int& line,
                                                    absl::string_view source) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  bool was_quoted = false;
  const int start_line = line;
  while (pos < text.size()) {
    const char c = text[pos++];
    if (quoted) {
      if (c == '"') {
        if (pos < text.size() && text[pos] == '"') {
          field.push_back('"');
          ++pos;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == '"') {
      if (!field.empty() || was_quoted) {
        return absl::InvalidArgumentError(
            absl::StrCat(source, ":", line, ": a quote inside an unquoted field"));
      }
      quoted = true;
      was_quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c == '\n') {
      ++line;
      break;
    } else if (c == '\r') {
      // Tolerate CRLF line ends.
    } else {
      field.push_back(c);
    }
  }
  if (quoted) {
    return absl::InvalidArgumentError(
        absl::StrCat(source, ":", start_line, ": a quoted field is never closed"));
  }
  fields.push_back(std::move(field));
  return fields;
}

}  // namespace

std::string SeriesCsv(const QueryResult& result) {
  std::set<std::string> names;
  for (const Series& series : result.series) {
    for (const auto& label : series.labels) names.insert(label.first);
  }
  std::vector<std::string> columns;
  if (names.erase("__name__") > 0) columns.push_back("__name__");
  columns.insert(columns.end(), names.begin(), names.end());

  std::string out = "timestamp,value";
  for (const std::string& column : columns) {
    out.push_back(',');
    AppendField(out, column);
  }
  out.push_back('\n');
  std::vector<absl::string_view> cells(columns.size());
  for (const Series& series : result.series) {
    for (size_t c = 0; c < columns.size(); ++c) {
      cells[c] = {};
      for (const auto& [name, value] : series.labels) {
        if (name == columns[c]) cells[c] = value;
      }
    }
    for (const Point& point : series.points) {
      absl::StrAppend(&out, FormatTimestamp(point.timestamp_ms), ",",
                      FormatSampleValue(point.value));
      for (absl::string_view cell : cells) {
        out.push_back(',');
        AppendField(out, cell);
      }
      out.push_back('\n');
    }
  }
  return out;
}

absl::StatusOr<QueryResult> ParseSeriesCsv(absl::string_view text, absl::string_view source) {
  absl::ConsumePrefix(&text, "\xEF\xBB\xBF");  // the byte-order mark spreadsheets write
  size_t pos = 0;
  int line = 1;
  auto header = ReadRecord(text, pos, line, source);
  if (!header.ok()) return header.status();
  if (header->size() < 2 || (*header)[0] != "timestamp" || (*header)[1] != "value") {
    return absl::InvalidArgumentError(absl::StrCat(
        source, ":1: the header must start with timestamp,value (then label names), got '",
        absl::StrJoin(*header, ","), "'"));
  }
  const std::vector<std::string> columns(header->begin() + 2, header->end());
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ":1: column ", i + 3, " has no label name"));
    }
    for (size_t j = 0; j < i; ++j) {
      if (columns[j] == columns[i]) {
        return absl::InvalidArgumentError(
            absl::StrCat(source, ":1: label '", columns[i], "' is named twice"));
      }
    }
  }

  QueryResult result;
  result.type = ResultType::kMatrix;
  std::map<Labels, size_t> index;
  std::vector<std::vector<int>> point_lines;  // for the duplicate-timestamp message
  while (pos < text.size()) {
    const int row_line = line;
    auto record = ReadRecord(text, pos, line, source);
    if (!record.ok()) return record.status();
    if (record->size() == 1 && (*record)[0].empty()) continue;  // blank line
    if (record->size() != columns.size() + 2) {
      return absl::InvalidArgumentError(absl::StrCat(source, ":", row_line, ": ", record->size(),
                                                     " fields, the header has ",
                                                     columns.size() + 2));
    }
    // Only absolute times: a saved series must not move with the clock.
    // A leading '-' is a time before 1970 (what SeriesCsv writes for one), never "an hour ago".
    const absl::string_view stamp = absl::StripAsciiWhitespace((*record)[0]);
    const bool negative = !stamp.empty() && stamp.front() == '-';
    const absl::string_view magnitude = negative ? stamp.substr(1) : stamp;
    auto time = ParseTime(magnitude, absl::UnixEpoch());
    if (time.ok() && negative) time = absl::UnixEpoch() - (*time - absl::UnixEpoch());
    if (!time.ok() || magnitude.empty() ||
        !absl::ascii_isdigit(static_cast<unsigned char>(magnitude.front())) ||
        (negative && magnitude.find_first_not_of("0123456789.") != absl::string_view::npos)) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ":", row_line, ": '", (*record)[0],
                       "' is not a timestamp (Unix seconds or RFC 3339)"));
    }
    auto value = ParseSampleValue((*record)[1]);
    if (!value.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(source, ":", row_line, ": ", value.status().message()));
    }
    Labels labels;
    for (size_t c = 0; c < columns.size(); ++c) {
      if (!(*record)[c + 2].empty()) labels.emplace_back(columns[c], (*record)[c + 2]);
    }
    std::sort(labels.begin(), labels.end());
    auto [it, inserted] = index.try_emplace(labels, result.series.size());
    if (inserted) {
      result.series.push_back(Series{labels, {}});
      point_lines.emplace_back();
    }
    result.series[it->second].points.push_back(Point{absl::ToUnixMillis(*time), *value});
    point_lines[it->second].push_back(row_line);
  }
  for (size_t s = 0; s < result.series.size(); ++s) {
    std::vector<Point>& points = result.series[s].points;
    std::vector<size_t> order(points.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      return points[a].timestamp_ms < points[b].timestamp_ms;
    });
    std::vector<Point> sorted;
    sorted.reserve(points.size());
    for (size_t i = 0; i < order.size(); ++i) {
      if (i > 0 && points[order[i]].timestamp_ms == points[order[i - 1]].timestamp_ms) {
        return absl::InvalidArgumentError(
            absl::StrCat(source, ":", point_lines[s][order[i]], ": series ",
                         FormatLabels(result.series[s].labels), " already has a point at ",
                         FormatTimestamp(points[order[i]].timestamp_ms), " (line ",
                         point_lines[s][order[i - 1]], ")"));
      }
      sorted.push_back(points[order[i]]);
    }
    points = std::move(sorted);
  }
  return result;
}

}  // namespace augur::providers
