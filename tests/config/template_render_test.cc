// Rendering a validated template for one analysis: argument resolution and per-side queries.
#include "config/template_render.h"

#include "config/template_loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace augur::config {
namespace {

using ::testing::HasSubstr;

AnalysisTemplate Load() {
  const TemplateLoad load = LoadTemplate(R"(apiVersion: augur/v1
kind: AnalysisTemplate
metadata: {name: checkout}
spec:
  args:
    - name: service
    - name: namespace
      default: prod
  step: 15s
  metrics:
    - name: latency
      query: lat{ns="{{args.namespace}}",svc="{{args.service}}",v="{{scope}}"}[{{step}}]
      judge: {mannWhitney: {direction: increase}}
    - name: per-side
      controlQuery: a{v="{{scope}}"}
      experimentQuery: b{v="{{scope}}"}
      judge: {threshold: {max: 1}}
    - name: errors
      judge:
        rate:
          events: sum(increase(e{svc="{{args.service}}",v="{{scope}}"}[{{window}}]))
          total: sum(increase(t{svc="{{args.service}}",v="{{scope}}"}[{{window}}]))
)");
  EXPECT_TRUE(load.result.has_value()) << load.diagnostics.Format("t.yaml");
  return load.result.value_or(AnalysisTemplate{});
}

RenderRequest Request(std::map<std::string, std::string> args) {
  return RenderRequest{std::move(args), "stable", "canary", absl::Minutes(10)};
}

TEST(RenderTemplateTest, RendersEverySideWithDefaultsAndPlaceholders) {
  auto rendered = RenderTemplate(Load(), Request({{"service", "checkout"}}));
  ASSERT_TRUE(rendered.ok()) << rendered.status();
  EXPECT_EQ(rendered->args.at("namespace"), "prod");
  ASSERT_EQ(rendered->metrics.size(), 3u);
  EXPECT_EQ(rendered->metrics[0].control, R"(lat{ns="prod",svc="checkout",v="stable"}[15s])");
  EXPECT_EQ(rendered->metrics[0].experiment, R"(lat{ns="prod",svc="checkout",v="canary"}[15s])");
  EXPECT_EQ(rendered->metrics[1].control, R"(a{v="stable"})");
  EXPECT_EQ(rendered->metrics[1].experiment, R"(b{v="canary"})");
  EXPECT_EQ(rendered->metrics[2].control_events,
            R"(sum(increase(e{svc="checkout",v="stable"}[10m])))");
  EXPECT_EQ(rendered->metrics[2].experiment_total,
            R"(sum(increase(t{svc="checkout",v="canary"}[10m])))");
  EXPECT_TRUE(rendered->metrics[2].control.empty());
}

TEST(RenderTemplateTest, GivenValueOverridesTheDefaultAndIsEscaped) {
  auto rendered =
      RenderTemplate(Load(), Request({{"service", R"(x"} or vector(1) #)"}, {"namespace", "dev"}}));
  ASSERT_TRUE(rendered.ok()) << rendered.status();
  EXPECT_EQ(rendered->metrics[0].control,
            R"(lat{ns="dev",svc="x\"} or vector(1) #",v="stable"}[15s])");
}

TEST(RenderTemplateTest, MissingRequiredArgumentIsNamed) {
  auto rendered = RenderTemplate(Load(), Request({}));
  EXPECT_TRUE(absl::IsInvalidArgument(rendered.status()));
  EXPECT_EQ(rendered.status().message(),
            "argument 'service' is required by template 'checkout' and has no default");
}

TEST(RenderTemplateTest, UndeclaredArgumentIsRefusedWithASuggestion) {
  auto rendered = RenderTemplate(Load(), Request({{"service", "a"}, {"namespce", "b"}}));
  EXPECT_TRUE(absl::IsInvalidArgument(rendered.status()));
  EXPECT_EQ(rendered.status().message(),
            "template 'checkout' has no argument 'namespce'; did you mean 'namespace'?");
}

TEST(RenderTemplateTest, ScopesAndWindowAreRequired) {
  RenderRequest request = Request({{"service", "a"}});
  request.experiment_scope.clear();
  EXPECT_THAT(RenderTemplate(Load(), request).status().message(), HasSubstr("scope"));
  request = Request({{"service", "a"}});
  request.window = absl::ZeroDuration();
  EXPECT_THAT(RenderTemplate(Load(), request).status().message(), HasSubstr("window"));
}

TEST(RenderTemplateTest, ScopeThatCannotStandInCodeNamesTheMetric) {
  const TemplateLoad load = LoadTemplate(R"(apiVersion: augur/v1
kind: AnalysisTemplate
metadata: {name: t}
spec:
  metrics:
    - name: by-name
      query: '{{scope}}_requests_total'
      judge: {mannWhitney: {}}
)");
  ASSERT_TRUE(load.result.has_value()) << load.diagnostics.Format("t.yaml");
  RenderRequest request{{}, "stable", "canary or vector(1)", absl::Minutes(5)};
  auto rendered = RenderTemplate(*load.result, request);
  EXPECT_TRUE(absl::IsInvalidArgument(rendered.status()));
  EXPECT_THAT(rendered.status().message(),
              HasSubstr("metric 'by-name' (experiment): {{scope}} stands outside a string"));
}

}  // namespace
}  // namespace augur::config
