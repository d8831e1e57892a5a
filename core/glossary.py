"""Domain terms in both languages, with plain-language definitions (the glossary page)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    key: str
    ja: str
    en: str
    definition_ja: str
    definition_en: str


TERMS = [
    Term("fiscal-year", "年度", "Fiscal year",
         "4月から翌年3月までの1年間。始まる年の西暦で表します（2008年度＝平成20年度）。和暦は昭和・平成・令和の区切りで変わり、1年目は「元年」と書きます。",
         "The year from April to the following March, named by the Western year it starts in (FY2008 = Heisei 20). "
         "Japanese labels add the era year (昭和, 平成, 令和; year 1 is written 元)."),
    Term("request", "概算要求", "Budget request",
         "各府省が翌年度の予算として財務省に要求する金額。通常8月末に提出されます。",
         "The amount a ministry asks the Ministry of Finance for in the next fiscal year, normally submitted at the end of August."),
    Term("draft", "予算案", "Government draft budget",
         "内閣が閣議決定し国会に提出する予算。2008年の政策資料の平成20年度の数値はこの段階です。",
         "The budget the Cabinet approves and submits to the Diet. The 2008 policy paper's FY2008 figures are at this stage."),
    Term("enacted", "当初予算", "Enacted (initial) budget",
         "国会で成立した年度当初の予算。政策資料の「平成19年度予算額」はこの段階です。",
         "The budget as passed by the Diet for the start of the year. The paper's FY2007 figures (予算額) are at this stage."),
    Term("supplementary", "補正（補正後予算）", "Supplementary budget",
         "年度の途中で補正予算により変更された後の金額。",
         "The figure after a supplementary budget changed it during the year."),
    Term("settled", "決算", "Settled accounts",
         "年度終了後に確定した実際の支出額。",
         "What was actually spent, settled after the year ends."),
    Term("latest-stage", "最新の段階", "Latest stage",
         "その年度について完全な数値が分かっている最も進んだ予算段階（決算＞補正後＞当初予算＞予算案＞概算要求）。一部の下位事業だけの合計は数値に数えません。",
         "The most advanced budget stage with a complete figure for a year (settled > supplementary > enacted > draft > request). A sum over only some sub-programs is not a figure."),
    Term("sum-of-sub-programs", "下位事業の合計", "Sum of sub-programs",
         "上位事業自体の数値がない年度・予算段階で、その年度に存在するすべての下位事業に同じ予算段階の数値がある場合に限り示す合計。一部の下位事業にしか数値がない場合は合計を示さず、「下位事業m件中n件」と注記します。",
         "Shown for a parent program only where it has no figure of its own and every sub-program existing that year has a figure at the same stage. Where only some have one, no sum is shown; a note says “n of m sub-programs”."),
    Term("stage-doubt", "予算段階の不確かさ", "Stage in doubt",
         "出典の表記（例：「政府予算」）では予算案か当初予算かが定まらない数値。「予算案または当初予算（出典の表記：政府予算）」のように示し、前年度比や合計には使いません。",
         "A figure whose source wording (e.g. 政府予算, “government budget”) does not settle whether it is the draft or the enacted budget. Shown as “draft or enacted (the source says: …)”, and never used in a change or a total."),
    Term("exact", "出典記載の数値", "As stated in the source",
         "出典に書かれた桁のとおりの数値。最終的な（確定した）数値であるという意味ではありません。",
         "A figure with the digits its source gives. It does not mean the figure is final."),
    Term("rounded", "概数（約）", "Rounded figure (≈)",
         "出典が「約75億円」のように丸めて示した金額。精度を保ち、約／≈を付けて表示します。概数を使った合計・増減・割合にも約／≈を付けます。",
         "A figure the source gave rounded, such as “about 7.5 billion yen”. It keeps that precision and is shown with 約 / ≈; so is any sum, change or share that uses it."),
    Term("unitemized", "その他・内訳なし", "Unitemized remainder",
         "上位事業の金額のうち、下位事業に内訳が示されていない部分（上位事業の金額−下位事業の合計）。運営費交付金中の推計額などを含みます。",
         "The part of a parent program's figure that its sub-programs do not itemize (parent − Σ children), e.g. estimates within operating grants."),
    Term("operating-grant", "運営費交付金", "Operating grant",
         "国立大学法人やJSTなどの独立行政法人に国が交付する経費。政策資料の合計額には、その中の推計額が含まれます。",
         "The block grant the state gives national university corporations and agencies such as JST. The paper's total includes estimates within them."),
    Term("core-organization", "中核機関", "Core organization",
         "地方公共団体が指定し、補助金の交付を受けて事業を実施する機関（科学技術振興財団など）。",
         "The organization a local government designates to receive the subsidy and run the cluster (e.g. a science and technology foundation)."),
    Term("cluster-headquarters", "知的クラスター本部", "Knowledge Cluster headquarters",
         "本部長・事業総括・研究統括などからなり、事業全体をマネジメントする司令塔。",
         "The command centre (director, project manager, research director) that manages a Knowledge Cluster project as a whole."),
    Term("midterm", "中間評価", "Mid-term evaluation",
         "事業開始3年目に行う評価。結果は補助金の交付額に反映されます。",
         "The evaluation in a cluster's third year; its result is reflected in the subsidy amount."),
    Term("final-evaluation", "事後評価（終了評価）", "Final evaluation",
         "事業終了時に行う評価。",
         "The evaluation when a cluster's project ends."),
    Term("region", "地域", "Region",
         "クラスターを実施する地域。複数の都道府県にまたがることがあります（例：東海広域＝愛知県・岐阜県）。",
         "The area a cluster works in; it may span several prefectures (e.g. Greater Tokai = Aichi + Gifu)."),
    Term("cluster", "クラスター", "Cluster",
         "一つの地域が一つの事業のもとで一定の年度にわたって行う取組。",
         "One region's initiative under one program over a span of fiscal years."),
    Term("lineage", "系譜", "Lineage",
         "同じ地域のクラスターの移り変わり（都市エリア→知的クラスター第I期→第II期など）。",
         "How a region's clusters follow each other (City Area → Knowledge Cluster Phase I → Phase II)."),
    Term("period-unknown", "期間不明", "Period unknown",
         "開始年度または終了年度が出典で分からないクラスターの状況。実施中とは数えず、件数は「N（ほかに期間不明M）」と別に示します。"
         "実施していた可能性があるのは、開始年度（不明なら事業の開始年度）から、開始年度＋事業の標準期間−1、事業の終了年度、"
         "事業の予算額が最後に記録された年度のうち最も早い年度までです。",
         "The status of a cluster whose first or last year the sources do not give. It is never counted as running; "
         "counts show it apart: \"N (+M with unknown period)\". It may have run from its first year (else its program's) "
         "up to the earliest of: first year + the program's normal duration − 1, the program's last year, and the last "
         "year with a budget figure for the program."),
    Term("city-area-types", "一般型・発展型", "General and advanced types (City Area)",
         "都市エリア事業の類型。一般型は年1億円程度×3年、発展型は年2億円程度で3年または5年。",
         "The City Area program's types: general (about ¥100M a year for 3 years) and advanced (about ¥200M a year, 3 or 5 years)."),
    Term("outcome-share", "成果シェア（4事業の割合）", "Share of outcomes",
         "大学等の産学連携の実績（共同研究、特許出願、実施許諾、実施料収入、大学発ベンチャー）のうち、文部科学省の4事業が占める割合。4事業の合計÷大学等全体×100。",
         "The share of all university industry–academia outcomes (joint research, patent applications, licences, "
         "licensing income, start-ups) that the four MEXT programs account for: their combined value ÷ the all-university total × 100."),
    Term("universities", "大学等", "Universities etc.",
         "文部科学省の調査の対象となる国公私立大学、短期大学、高等専門学校、大学共同利用機関。",
         "The national, public and private universities, junior colleges, colleges of technology and inter-university institutes in MEXT's survey."),
    Term("definition-break", "定義変更", "Definition change",
         "指標の定義が変わること。「共同研究」は2009年度の調査から民間企業との共同研究に絞られたため、別の指標として扱い、グラフでは線をつなぎません。",
         "A change in what an indicator counts. MEXT narrowed “joint research” to private companies from the FY2009 survey, "
         "so it is a separate indicator and charts never join the two lines."),
    Term("derived", "算出値", "Derived value",
         "出典に記載された値と前年度からの増減から計算した値（例：2004年度10,728件−増加1,473件＝2003年度9,255件）。",
         "A value computed from a stated value and a stated change (e.g. FY2004 10,728 − increase 1,473 = FY2003 9,255)."),
    Term("reported", "地域からの報告", "Reported by the region",
         "地域のコーディネーターが年次報告で入力した数値。文部科学省の公表値ではありません。",
         "A figure a region's coordinator entered in an annual report; not a figure the ministry published."),
    Term("illustrative", "例示データ", "Illustrative data",
         "公開された数値がない部分を示すためのデモ用の値。公式の数値ではありません。",
         "Demo figures shown where no public figure exists. They are not official."),
    Term("annual-report", "年次報告", "Annual report",
         "コーディネーターが年度ごとに提出するクラスターの事業費実績と成果件数。下書き→提出→受理、または差戻し→下書き。",
         "A coordinator's yearly report of a cluster's actual funding and outcome counts: draft → submitted → accepted, or returned → draft."),
]  # fmt: skip
