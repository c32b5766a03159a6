// The message box: Enter sends, Shift+Enter is a new line; while a run goes, the button stops it.
import { useState } from 'preact/hooks';

interface Props {
  label: string;
  running: boolean;
  onSend: (text: string) => void;
  onStop: () => void;
  canSend?: boolean;
}

export function PromptBox({ label, running, onSend, onStop, canSend = true }: Props) {
  const [text, setText] = useState('');
  const send = () => {
    if (running || !canSend || !text.trim()) return;
    onSend(text);
    setText('');
  };
  return (
    <form
      class="prompt-box"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <textarea
        aria-label={label}
        data-testid="prompt"
        rows={3}
        value={text}
        placeholder={`${label} (Enter sends, Shift+Enter for a new line)`}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            send();
          }
        }}
      />
      {running ? (
        <button type="button" class="stop" onClick={onStop} data-testid="stop">
          Stop
        </button>
      ) : (
        <button type="submit" disabled={!canSend || !text.trim()} data-testid="send">
          Send
        </button>
      )}
    </form>
  );
}
