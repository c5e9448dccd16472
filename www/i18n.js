// UI strings in Chinese (default) and English. Messages about the data come
// from the Rust core in both languages; these are the page's own words.
export const STRINGS = {
  tagline: ['客户分析工作台', 'customer-analytics workbench'],
  privacy: ['全部在本机浏览器中计算，数据不会上传', 'Everything runs in this browser; no data is uploaded'],
  data_title: ['数据', 'Data'],
  data_hint: ['选择一个或多个客户导出文件（CSV、TSV、DB2 .del），或加载内置示例数据。',
    'Choose one or more customer exports (CSV, TSV, DB2 .del), or load the built-in sample.'],
  choose_files: ['选择文件…', 'Choose files…'],
  load_sample: ['加载示例数据', 'Load sample data'],
  sample_customers: ['客户示例（300 行）', 'Customers (300 rows)'],
  scenario_wealth: ['场景：高价值潜力', 'Scenario: high-value potential'],
  scenario_corporate_churn: ['场景：对公流失预警', 'Scenario: corporate churn warning'],
  scenario_prospects: ['场景：潜客推荐', 'Scenario: prospect recommendation'],
  scenario_retail_cross_sell: ['场景：交叉销售', 'Scenario: retail cross-sell'],
  scenario_securities_retention: ['场景：证券流失挽留', 'Scenario: securities retention'],
  scenario_segmentation: ['场景：客户分群', 'Scenario: segmentation'],
  pending: ['该分析配方的后续步骤在此版本中尚未运行：{steps}', 'Later steps of this recipe do not run in this version yet: {steps}'],
  options: ['读取选项', 'Reading options'],
  encoding: ['编码', 'Encoding'], delimiter: ['分隔符', 'Delimiter'], header: ['表头', 'Header'],
  auto: ['自动识别', 'Detect'], yes: ['有', 'Yes'], no: ['无', 'No'],
  column_list: ['列名文件（无表头导出）', 'Column list (header-less export)'],
  join_key: ['关联键（两个文件时）', 'Join key (two files)'],
  join_how: ['关联方式', 'Join type'], inner: ['内关联', 'Inner'], left: ['左关联', 'Left'],
  rerun: ['按选项重新读取', 'Reload with these options'],
  cancel: ['取消', 'Cancel'],
  cancelled: ['已取消。', 'Cancelled.'],
  footer: ['kequn · 本地运行的客户分析', 'kequn · customer analytics that stays on your machine'],
  rows: ['行', 'rows'], columns: ['列', 'columns'],
  col_name: ['列名', 'Column'], col_type: ['类型', 'Type'], col_missing: ['缺失', 'Missing'],
  col_distinct: ['不同值', 'Distinct'], col_summary: ['概要', 'Summary'], col_hist: ['分布', 'Distribution'],
  numeric: ['数值', 'numeric'], categorical: ['分类', 'categorical'], date: ['日期', 'date'],
  id: ['编号', 'id'], text: ['文本', 'text'],
  file_encoding: ['编码', 'encoding'], file_delimiter: ['分隔符', 'delimiter'], file_header: ['表头', 'header'],
  warning: ['提示', 'Warning'],
  error_title: ['无法完成', 'Could not finish'],
  where: ['位置', 'Where'], line: ['行', 'line'], column: ['列', 'column'],
  join_title: ['关联结果', 'Join'],
  join_summary: ['关联后 {rows} 行；左表匹配 {ml}，未匹配 {ul}；右表未匹配 {ur}；重复键 左 {dl} / 右 {dr}',
    '{rows} rows after the join; left matched {ml}, unmatched {ul}; right unmatched {ur}; duplicate keys left {dl} / right {dr}'],
  stage_read: ['读取文件', 'Reading files'], stage_decode: ['识别编码', 'Decoding'],
  stage_parse: ['拆分字段', 'Splitting fields'], stage_types: ['识别列类型', 'Typing columns'],
  stage_profile: ['统计各列', 'Profiling columns'], stage_join: ['关联', 'Joining'], stage_done: ['完成', 'Done'],
  min: ['最小', 'min'], median: ['中位数', 'median'], max: ['最大', 'max'], mean: ['均值', 'mean'],
  change_type: ['更改此列类型后重新读取', 'Change this column\'s type and reload'],
  undo_type: ['恢复“{column}”的自动识别类型并重新读取', 'Restore the detected type of “{column}” and reload'],
  label_title: ['标签与评分', 'Label and score'],
  label_hint: ['输入标签规则（例如 金融资产月日均 < 0.5 * 近三个月金融资产月日均，或 注册地址 contains "广东"）和客户编号列，然后训练逻辑回归与决策树。规则使用的列会自动从特征中移除。',
    'Type a label rule (e.g. 金融资产月日均 < 0.5 * 近三个月金融资产月日均, or 注册地址 contains "广东") and the customer id column, then train logistic regression and a decision tree. The columns the rule uses are removed from the features.'],
  train: ['训练模型', 'Train model'],
  model_title: ['模型结果', 'Model'],
  model_summary: ['可用 {rows} 行，正例 {pos}（{rate}）；训练 {train} 行，测试 {test} 行（分层抽样）', '{rows} usable rows, {pos} positive ({rate}); {train} training and {test} test rows (stratified)'],
  leakage: ['标签规则使用的列已从特征中移除（防止标签泄漏）：{cols}', 'The columns the label rule uses were removed from the features (label-leakage guard): {cols}'],
  unknown_label: ['{n} 行因缺失值无法判定标签，未参与训练', '{n} rows had a missing value in the rule and were left out'],
  dropped_rows: ['{n} 行因特征缺失被删除', '{n} rows with missing features were dropped'],
  dropped_columns: ['未使用的列', 'Columns not used'],
  cv_auc: ['交叉验证 AUC', 'CV AUC'], accuracy: ['准确率', 'Accuracy'], precision: ['精确率', 'Precision'], recall: ['召回率', 'Recall'],
  top_coefficients: ['影响最大的特征（标准化系数）', 'Strongest features (standardised coefficients)'],
  feature: ['特征', 'Feature'], coef: ['系数', 'Coefficient'], odds_ratio: ['优势比', 'Odds ratio'],
  segment_title: ['客户分群（K = {k}）', 'Customer segments (K = {k})'],
  segment_summary: ['{rows} 名客户，{features} 个特征，{method}，分为 {k} 群', '{rows} customers, {features} features, {method}, {k} segments'],
  method_kmeans: ['K-Means（数值与独热特征）', 'K-Means (numeric and one-hot features)'],
  method_kprototypes: ['K-Prototypes（数值 + 分类，γ = {gamma}）', 'K-Prototypes (numeric + categorical, γ = {gamma})'],
  cost_axis: ['代价', 'Cost'],
  reseeded: ['迭代中有 {n} 个簇变空，已从最大簇重新取点', '{n} clusters emptied during iteration were re-seeded from the largest'],
  suggested: ['建议', 'suggested'],
  k_pick: ['分群数', 'Segments'],
  silhouette_sampled: ['轮廓系数按 {n} 名客户的固定种子抽样计算', 'Silhouette computed on a seeded sample of {n} customers'],
  k_chart_title: ['选择 K：WCSS（肘部）、轮廓系数与间隙统计量', 'Choosing K: WCSS (elbow), silhouette and gap'],
  silhouette: ['轮廓系数', 'Silhouette'],
  scatter_title: ['{proj} 二维投影（解释方差 {a} + {b}）', '{proj}: two components (variance {a} + {b})'],
  radar_title: ['各群特征雷达（标准化差异）', 'Segment radar (standardised difference)'],
  sizes_title: ['各群规模', 'Segment sizes'],
  surrogate_summary: ['代理决策树：留出样本上还原分群的准确率 {acc}，{leaves} 个叶子', 'Surrogate tree: {acc} of held-out customers placed in their segment, {leaves} leaves'],
  segment_name: ['分群名称', 'Segment'], size: ['人数（占比）', 'Size (share)'], distinguishing: ['显著特征', 'What sets it apart'],
  strategy: ['营销策略', 'Marketing strategy'], service: ['服务重点', 'Service focus'], surrogate_rules: ['识别规则', 'Rules'],
  download_segments: ['下载客户分群（CSV）', 'Download segments (CSV)'],
  save_segments: ['保存分群中心（JSON）', 'Save segment centres (JSON)'],
  basket_title: ['产品关联规则与交叉销售', 'Product association rules and cross-sell'],
  basket_summary: ['{n} 名客户；支持度 ≥ {support}、置信度 ≥ {confidence}：频繁项集 {items} 个，规则 {rules} 条', '{n} customers; support ≥ {support}, confidence ≥ {confidence}: {items} frequent itemsets, {rules} rules'],
  cool_off: ['{n} 名客户处于营销冷静期，未列入推荐名单', '{n} customers are in a marketing cool-off and left out of the lists'],
  holdings_title: ['产品持有率', 'Product holding rate'],
  rules_title: ['关联规则', 'Association rules'],
  all_customers: ['全部客户（{n}）', 'All customers ({n})'],
  specific_n: ['特有规则 {n} 条', '{n} specific rules'],
  specific: ['分群特有', 'segment-specific'],
  rule_search: ['按产品筛选', 'Filter by product'],
  rules_meta: ['显示 {n} / {total} 条规则 · 第 {page} / {pages} 页', '{n} of {total} rules · page {page} of {pages}'],
  antecedent: ['前项', 'If held'], consequent: ['后项', 'Then'], support: ['支持度', 'Support'], confidence: ['置信度', 'Confidence'],
  leverage: ['杠杆率', 'Leverage'], conviction: ['确信度', 'Conviction'],
  product: ['推荐产品', 'Product'], rule: ['依据规则', 'Rule'],
  cross_sell_title: ['交叉销售推荐（共 {n} 条，显示前 20 条）', 'Cross-sell offers ({n}, first 20 shown)'],
  targets_title: ['产品目标客户', 'Target customers by product'],
  download_business: ['下载业务格式（JSON）', 'Download business format (JSON)'],
  checking: ['正在检查规则…', 'Checking the rule…'],
  check_ok: ['✓ 正例 {pos} / {rows} 行（{rate}）· 规则读取的列：{cols}（训练时将从特征中移除）', '✓ {pos} of {rows} rows positive ({rate}) · columns read: {cols} (left out of the features when training)'],
  check_one_class: ['只有一个类别，无法训练模型，请调整规则', 'only one class: a model cannot be trained, adjust the rule'],
  check_on_train: ['文件较大，规则将在点击“训练”时检查', 'Large files: the rule is checked when you click Train'],
  apply_model: ['应用已保存的模型…', 'Apply a saved model…'],
  apply_model_hint: ['选择之前保存的 model.json，为当前文件打分（需填写客户编号列）', 'Choose a model.json saved earlier to score these files (needs the id column)'],
  apply_needs_id: ['请先在“客户编号列”中填写 id 列名', 'Enter the id column first'],
  save_model: ['保存模型（JSON）', 'Save model (JSON)'],
  applied_title: ['已保存模型的打分结果', 'Scored with the saved model'],
  applied_summary: ['共 {rows} 行，列出 {n} 名候选客户，排除 {excluded} 名', '{rows} rows scored, {n} candidates listed, {excluded} excluded'],
  candidates_title: ['候选客户 {n} 名（显示前 {shown} 名）', '{n} candidates (first {shown} shown)'],
  tree_title: ['决策树规则（测试 AUC {auc}，{leaves} 个叶子，按正例比例排序）', 'Decision-tree rules (test AUC {auc}, {leaves} leaves, by positive share)'],
  if: ['如果', 'if'], and: ['且', 'and'],
  threshold: ['阈值', 'Threshold'], confusion_title: ['混淆矩阵（拖动阈值）', 'Confusion matrix (drag the threshold)'],
  pred_neg: ['预测为负', 'Predicted no'], pred_pos: ['预测为正', 'Predicted yes'],
  actual_neg: ['实际为负', 'Actually no'], actual_pos: ['实际为正', 'Actually yes'],
  gains_title: ['按得分十等分：提升度与累计捕获率', 'Lift and cumulative gain by score decile'], lift: ['提升度', 'Lift'], gain: ['累计捕获率', 'Gain'],
  download_csv: ['下载候选名单 CSV', 'Download the list (CSV)'],
  rank: ['排名', 'Rank'], customer: ['客户', 'Customer'], probability: ['概率', 'Probability'], reasons: ['主要原因', 'Top reasons'],
  click_for_chart: ['点击一列查看分布图', 'Click a column to see its chart'],
};

let lang = 'zh';
try { lang = localStorage.getItem('kequn.lang') || 'zh'; } catch { /* storage may be off */ }

export function getLang() { return lang; }
export function setLang(l) {
  lang = l;
  try { localStorage.setItem('kequn.lang', l); } catch { /* ignore */ }
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
  applyStatic();
}

export function t(key, vars = {}) {
  const entry = STRINGS[key];
  let s = entry ? entry[lang === 'zh' ? 0 : 1] : key;
  for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

export function applyStatic() {
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  const btn = document.getElementById('lang');
  if (btn) btn.textContent = lang === 'zh' ? 'English' : '中文';
}
