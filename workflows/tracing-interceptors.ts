/**
 * The conversation's workflow interceptors when tracing is on (observability/tracing.ts bundles this module with the
 * workflows; it is never imported by a bot): Temporal's OpenTelemetry interceptors, plus one rule that keeps every
 * turn in its own trace.
 *
 * Temporal's interceptors put an activity in the trace of whatever is running when it is scheduled. A bot's reply is
 * sent from the conversation's main code, which runs in the trace of the text that started the conversation, so every
 * later turn's send would land in the first text's trace. Here, an activity scheduled by the main code goes in the
 * trace of the latest text (or external event) the conversation received, under that signal's span; an activity
 * scheduled inside a signal handler (an operator's message, a consent answer) stays in its signal's trace.
 *
 * Deterministic: it only reads the trace context carried in the signals' headers.
 */
import * as otel from '@opentelemetry/api';
// The package's workflow half only (as its own workflow-interceptors module imports it): its index also loads the
// client and worker halves, which have no place in a workflow bundle.
import {
  OpenTelemetryInboundInterceptor,
  OpenTelemetryInternalsInterceptor,
  OpenTelemetryOutboundInterceptor,
} from '@temporalio/interceptors-opentelemetry/lib/workflow';
import type {
  ActivityInput,
  LocalActivityInput,
  Next,
  SignalInput,
  WorkflowExecuteInput,
  WorkflowInboundCallsInterceptor,
  WorkflowInterceptorsFactory,
  WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { externalEventSignal, inboundMessageSignal } from './messages';

/** Signals that start a turn: what the bot answers. */
const TURN_SIGNALS: ReadonlySet<string> = new Set([inboundMessageSignal.name, externalEventSignal.name]);

/** Where the conversation's main code runs, and the latest turn's context. */
interface Turns {
  main?: otel.SpanContext;
  latest?: otel.Context;
}

const spanContextOf = (context: otel.Context) => otel.trace.getSpanContext(context);

/** Notes the main code's span and each turn's context (runs inside Temporal's inbound interceptor, under its span). */
class TurnInbound implements WorkflowInboundCallsInterceptor {
  constructor(private readonly turns: Turns) {}

  execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    this.turns.main = spanContextOf(otel.context.active());
    return next(input);
  }

  handleSignal(input: SignalInput, next: Next<WorkflowInboundCallsInterceptor, 'handleSignal'>): Promise<void> {
    if (TURN_SIGNALS.has(input.signalName)) this.turns.latest = otel.context.active();
    return next(input);
  }
}

/** Schedules the main code's activities in the latest turn's context (runs outside Temporal's outbound interceptor). */
class TurnOutbound implements WorkflowOutboundCallsInterceptor {
  constructor(private readonly turns: Turns) {}

  scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>) {
    return this.inTurn(() => next(input));
  }

  scheduleLocalActivity(
    input: LocalActivityInput,
    next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>,
  ) {
    return this.inTurn(() => next(input));
  }

  private inTurn<T>(schedule: () => T): T {
    const { main, latest } = this.turns;
    const current = spanContextOf(otel.context.active());
    const inMainCode = main !== undefined && current?.spanId === main.spanId;
    return inMainCode && latest !== undefined ? otel.context.with(latest, schedule) : schedule();
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => {
  const turns: Turns = {};
  return {
    inbound: [new OpenTelemetryInboundInterceptor(), new TurnInbound(turns)],
    outbound: [new TurnOutbound(turns), new OpenTelemetryOutboundInterceptor()],
    internals: [new OpenTelemetryInternalsInterceptor()],
  };
};
