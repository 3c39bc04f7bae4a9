"""A reproducible synthetic corpus of Chinese customer-service calls.

The benchmark needs many calls that look like the real thing to the auditor:
~2.5 KB each, hundreds of agents in many teams, all four transcript formats,
and the faults the default checklist looks for (a missed greeting, no thanks,
no farewell, upset customers with and without empathy, rude agents). Calls
are assembled from sentence pools, so the generator is fast enough to write
200,000 calls in about a minute, and the same seed always writes the same bytes.

    python -m bench.generate OUT_DIR --calls 20000 --seed 7
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

VERSION = 2  # bump when the pools or the layout change: bench/run keeps corpora by (version, calls, seed)
FORMATS = ("json", "jsonl", "text", "csv")
JSONL_CALLS_PER_FILE = 1000
CSV_CALLS_PER_FILE = 500
FILES_PER_FOLDER = 1000

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "芳强敏磊洋静伟丽军娜杰涛明超霞平刚辉鹏华飞玲婷宇浩"
TEAMS = ("售后一组", "售后二组", "售后三组", "账单组", "宽带组", "物流组", "会员组", "投诉处理组", "家电组", "手机组", "夜班组", "VIP组")

TOPICS = [
    # (request, restatement, middle turns: alternating agent/customer sentences)
    ("你好，我家宽带又断了，昨天晚上十点多开始就上不了网，到现在都没好。", "家里宽带从昨天晚上十点左右开始一直断网，到现在还没恢复",
     ["麻烦您提供一下宽带账号或者安装地址，我马上帮您查。", "地址是西湖区文三路188号3单元502，账号我记不清了。",
      "查到了，您所在的小区光缆昨晚施工被挖断了，抢修师傅已经在现场。", "那大概什么时候能修好？我明天上午还要开视频会议。",
      "预计今天下午三点前恢复，恢复后会给您发短信通知。", "好吧，那我等短信。"]),
    ("我上周买的沙发到现在还没到，物流信息三天没更新了，能不能帮我查一下？", "您上周买的沙发一直没送到，物流信息三天没有更新",
     ["请您提供一下订单号，我帮您联系物流。", "订单号是20261003884512。",
      "我看到包裹在中转仓滞留了，我已经给物流提交了加急处理。", "那要等多久？家里都没地方坐了。",
      "一般二十四小时内会重新派送，派送前快递员会提前电话联系您。", "行，那我等电话。"]),
    ("你好，我这个月话费多扣了三十块钱，我没开通过什么增值业务。", "您这个月的话费比平时多扣了三十元，而您没有主动开通增值业务",
     ["我帮您查一下账单明细，请稍等。", "好的。",
      "查到了，是一个视频会员包，九月二十号通过短信开通的，我这边帮您退订并申请退款。", "退款多久能到？",
      "三到五个工作日会退回到您的话费账户。", "好的，知道了。"]),
    ("我的手机屏幕上有一条绿线，从上到下的，前天升级完系统以后就有了。", "您的手机前天系统升级之后屏幕出现了一条竖着的绿线",
     ["请问手机摔过或者进过水吗？", "没摔过，也没进水。",
      "这种情况可能是显示驱动的问题，您可以先试一下重启，如果还在，建议到服务网点检测。", "网点检测要收费吗？",
      "在保修期内是免费的，您可以在小程序上预约最近的网点。", "那我先重启试试。"]),
    ("我想申请退货，收到的空调外机有一块凹进去了，包装也是破的。", "您收到的空调外机有凹陷，外包装也破损了，想申请退货",
     ["麻烦您拍几张外机和包装的照片，发到我们的售后小程序上。", "照片我已经拍好了，现在就传。",
      "收到了，我这边给您登记退货，明天会有师傅上门取件，新机器同步发出。", "新机器什么时候能到？",
      "一般三天内送到，送货时会有人给您安装。", "那还行。"]),
    ("你好，我想改一下套餐，现在这个流量不够用，每个月都要另外买流量包。", "您现在的套餐流量不够用，每个月都要额外买流量包，所以想换套餐",
     ["我帮您看一下，您近三个月平均每月用了三十G左右。", "对，差不多。",
      "有一个五十G的套餐，月费比您现在多十元，比您单买流量包划算。", "那下个月就能生效吗？",
      "今天办理，下个月一号自动生效。", "那就办这个吧。"]),
]

FILLER_AGENT = ["好的，我这边帮您记录一下。", "请您稍等，我查询一下系统。", "我这边看到您的资料了。", "这个情况我需要跟相关部门核实一下。",
                "我已经帮您提交了工单，工单号会通过短信发给您。", "您这边还可以在我们的官方小程序上查看进度。"]
FILLER_CUSTOMER = ["嗯，好的。", "那你们尽快吧。", "我知道了。", "短信是发到这个号码上吗？", "那我等你们的消息。", "行，麻烦了。"]

GREETINGS = ["您好，{team}客服{name}，很高兴为您服务，请问有什么可以帮您？", "您好，欢迎致电客服热线，我是{name}，请问有什么可以帮您？",
             "上午好，这里是{team}，我是{name}，请问您需要办理什么业务？"]
NO_GREETING = ["喂，{team}，请讲。", "喂，说吧。"]
PARAPHRASE = ["好的，我跟您确认一下，您是说{restate}，对吗？", "明白了，我确认一下：{restate}，是这样吗？"]
NO_PARAPHRASE = ["好的，我看一下。", "嗯，您稍等。"]
UPSET = ["这都第三次了！你们到底有没有人管？太过分了！！", "我等了一个多星期了，每次打电话都说在处理，我要投诉你们！",
         "你们效率真高啊，呵呵，一个问题推来推去，我真的受够了！", "我很着急，明天就要用，你们再拖下去我就去12315举报！"]
EMPATHY = ["非常理解您的心情，给您带来不便，真的很抱歉。", "真是不好意思让您久等了，您先别着急，我马上帮您处理。",
           "实在抱歉，让您着急了，这件事我来跟进到底。"]
NO_EMPATHY = ["这个是规定就是这样，我也没办法。", "您听我说，系统显示正在处理。"]
RUDE = ["这不是我们的问题，你自己去查吧。", "都说了多少遍了，你听不懂吗？", "不归我管，你找别人去。", "爱办不办，随便你。",
        "这是快递的问题，您找快递去。"]
THANKS = ["谢谢您的耐心等待。", "感谢您的理解和配合。", "好的，谢谢您。"]
FURTHER = ["请问还有其他需要帮助的吗？", "请问还有什么可以帮您的吗？"]
CLOSING_CUSTOMER = ["没有了，谢谢。", "没了，就这样吧。"]
FAREWELL = ["祝您生活愉快，再见！", "感谢您的来电，再见。"]
NO_FAREWELL = ["好的。", "嗯，那就这样。"]


@dataclass(frozen=True)
class Shares:
    """How often each fault appears; the defaults give a realistic mix of clean and faulty calls."""

    no_greeting: float = 0.08
    no_paraphrase: float = 0.25
    upset: float = 0.25
    no_empathy: float = 0.3  # of upset calls
    rude: float = 0.05
    no_thanks: float = 0.12
    no_further_help: float = 0.15
    no_farewell: float = 0.1
    traditional: float = 0.05
    no_agent: float = 0.01


class CallMaker:
    """Builds call dicts from the pools; one ``random.Random`` makes the corpus a function of the seed."""

    def __init__(self, seed: int, agents: int = 400, shares: Shares = Shares()) -> None:
        self.rng = random.Random(seed)
        self.shares = shares
        self.agents = []
        for i in range(agents):
            name = self.rng.choice(SURNAMES) + self.rng.choice(GIVEN) + (self.rng.choice(GIVEN) if self.rng.random() < 0.5 else "")
            self.agents.append((f"A{i + 1:04d}", name, TEAMS[i % len(TEAMS)]))
        self._s2t = None

    def _traditional(self, text: str) -> str:
        if self._s2t is None:
            import opencc

            self._s2t = opencc.OpenCC("s2t")
        return self._s2t.convert(text)

    def call(self, n: int) -> dict:
        r, s = self.rng, self.shares
        agent_id, name, team = r.choice(self.agents)
        request, restate, middle = r.choice(TOPICS)
        fmt = {"name": name, "team": team, "restate": restate}
        turns: list[tuple[str, str]] = [("agent", r.choice(NO_GREETING if r.random() < s.no_greeting else GREETINGS).format(**fmt)),
                                        ("customer", request)]
        turns.append(("agent", r.choice(NO_PARAPHRASE if r.random() < s.no_paraphrase else PARAPHRASE).format(**fmt)))
        turns.append(("customer", "对，就是这样。"))
        if r.random() < s.upset:
            turns.append(("customer", r.choice(UPSET)))
            turns.append(("agent", r.choice(NO_EMPATHY if r.random() < s.no_empathy else EMPATHY)))
        for i, text in enumerate(middle):
            turns.append(("agent" if i % 2 == 0 else "customer", text))
        for _ in range(r.randint(2, 5)):
            turns.append(("agent", r.choice(FILLER_AGENT)))
            turns.append(("customer", r.choice(FILLER_CUSTOMER)))
        if r.random() < s.rude:
            turns.append(("agent", r.choice(RUDE)))
            turns.append(("customer", "你这是什么态度？"))
        thanks = r.random() >= s.no_thanks
        turns.append(("agent", (r.choice(THANKS) if thanks else "") + (r.choice(FURTHER) if r.random() >= s.no_further_help else "还有事吗？")))
        turns.append(("customer", r.choice(CLOSING_CUSTOMER)))
        turns.append(("agent", r.choice(NO_FAREWELL if r.random() < s.no_farewell else FAREWELL)))
        if r.random() < s.traditional:
            turns = [(who, self._traditional(text)) for who, text in turns]
        clock, out = r.uniform(0.1, 1.0), []
        for who, text in turns:
            dur = round(len(text) * r.uniform(0.18, 0.3), 1)
            out.append({"speaker": who, "text": text, "start": round(clock, 1), "end": round(clock + dur, 1)})
            clock += dur + r.uniform(0.3, 2.0)
        day, minute = 1 + n % 28, r.randrange(8 * 60, 21 * 60)
        return {
            "call_id": f"B{n:07d}",
            "agent_id": "" if r.random() < s.no_agent else agent_id,
            "agent_name": name,
            "team": team,
            "started_at": f"2026-10-{day:02d}T{minute // 60:02d}:{minute % 60:02d}:00+08:00",
            "turns": out,
        }


def _clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    return f"{m:02d}:{s:02d}"


def as_json(call: dict) -> str:
    return json.dumps(call, ensure_ascii=False, indent=2)


def as_text(call: dict) -> str:
    label = {"agent": "客服", "customer": "客户"}
    head = ["---"] + [f"{k}: {call[k]}" for k in ("call_id", "agent_id", "agent_name", "team", "started_at") if call[k]] + ["---", ""]
    body = [f"[{_clock(t['start'])}] {label[t['speaker']]}：{t['text']}" for t in call["turns"]]
    return "\n".join(head + body) + "\n"


CSV_HEADER = ["call_id", "agent_id", "agent_name", "team", "speaker", "text", "start", "end", "started_at"]


def csv_rows(call: dict) -> list[list[object]]:
    return [[call["call_id"], call["agent_id"], call["agent_name"], call["team"], t["speaker"], t["text"], t["start"], t["end"], call["started_at"]]
            for t in call["turns"]]


def _folder(out: Path, fmt: str, index: int) -> Path:
    folder = out / fmt / f"{index // FILES_PER_FOLDER:03d}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def generate(out: Path, calls: int, seed: int = 7, agents: int = 400) -> dict[str, int]:
    """Write ``calls`` calls under ``out`` (json/, jsonl/, text/, csv/), a quarter in each format; returns counts and bytes."""
    maker = CallMaker(seed, agents)
    counts = dict.fromkeys(FORMATS, 0)
    files = dict.fromkeys(FORMATS, 0)
    jsonl_buf: list[str] = []
    csv_buf = io.StringIO()
    csv_writer = csv.writer(csv_buf, lineterminator="\n")
    csv_calls = 0

    def flush_jsonl() -> None:
        if jsonl_buf:
            (_folder(out, "jsonl", files["jsonl"]) / f"batch_{files['jsonl']:05d}.jsonl").write_text("".join(jsonl_buf), encoding="utf-8")
            files["jsonl"] += 1
            jsonl_buf.clear()

    def flush_csv() -> None:
        nonlocal csv_buf, csv_writer, csv_calls
        if csv_calls:
            (_folder(out, "csv", files["csv"]) / f"export_{files['csv']:05d}.csv").write_text(",".join(CSV_HEADER) + "\n" + csv_buf.getvalue(), encoding="utf-8")
            files["csv"] += 1
            csv_buf = io.StringIO()
            csv_writer = csv.writer(csv_buf, lineterminator="\n")
            csv_calls = 0

    for n in range(calls):
        call = maker.call(n)
        fmt = FORMATS[n % 4]
        counts[fmt] += 1
        if fmt == "json":
            (_folder(out, "json", files["json"]) / f"{call['call_id']}.json").write_text(as_json(call), encoding="utf-8")
            files["json"] += 1
        elif fmt == "text":
            (_folder(out, "text", files["text"]) / f"{call['call_id']}.txt").write_text(as_text(call), encoding="utf-8")
            files["text"] += 1
        elif fmt == "jsonl":
            jsonl_buf.append(json.dumps(call, ensure_ascii=False) + "\n")
            if len(jsonl_buf) >= JSONL_CALLS_PER_FILE:
                flush_jsonl()
        else:
            csv_writer.writerows(csv_rows(call))
            csv_calls += 1
            if csv_calls >= CSV_CALLS_PER_FILE:
                flush_csv()
    flush_jsonl()
    flush_csv()
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    return {"calls": calls, "files": sum(files.values()), "bytes": size, **{f"calls_{k}": v for k, v in counts.items()}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="folder to write (must be empty or absent)")
    ap.add_argument("--calls", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--agents", type=int, default=400)
    args = ap.parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()):
        print(f"error: {args.out} is not empty", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    info = generate(args.out, args.calls, args.seed, args.agents)
    took = time.perf_counter() - t0
    print(f"wrote {info['calls']} calls in {info['files']} files, {info['bytes'] / 1e6:.1f} MB "
          f"({info['bytes'] / info['calls']:.0f} B/call) to {args.out} in {took:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
