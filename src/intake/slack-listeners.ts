import type { App, Middleware, SlackActionMiddlewareArgs, SlackViewMiddlewareArgs } from '@slack/bolt';

type ActionListener = Middleware<SlackActionMiddlewareArgs>;
type ViewListener = Middleware<SlackViewMiddlewareArgs>;

/**
 * slipway's buttons and modals, mounted on Bolt as one action listener and one view listener that dispatch by
 * id. Bolt runs every listener's matching middleware on every request (a slash command too): one listener per
 * kind costs less than one per button. The pattern names the ids exactly, so an unknown one stays unhandled,
 * as with one listener each.
 */
export class SlackListeners {
  private readonly actions = new Map<string, ActionListener>();
  private readonly views = new Map<string, ViewListener>();

  action(actionId: string, listener: ActionListener): void {
    this.actions.set(actionId, listener);
  }

  view(callbackId: string, listener: ViewListener): void {
    this.views.set(callbackId, listener);
  }

  mount(app: App): void {
    const { actions, views } = this;
    if (actions.size > 0) app.action(exactly(actions.keys()), async (args) => actions.get(actionIdOf(args.action))?.(args));
    if (views.size > 0) app.view(exactly(views.keys()), async (args) => views.get(args.view.callback_id)?.(args));
  }
}

function actionIdOf(action: SlackActionMiddlewareArgs['action']): string {
  return 'action_id' in action ? action.action_id : '';
}

function exactly(ids: Iterable<string>): RegExp {
  return new RegExp(`^(?:${[...ids].map((id) => id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`);
}
