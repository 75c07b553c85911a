// The style sheet and script that render_html_report inlines into every report.
#pragma once

namespace vitdse::report::detail {

extern const char* const kReportCss;
/// Reads the page's embedded JSON (#report-data); needs no other resource.
extern const char* const kReportJs;

}  // namespace vitdse::report::detail
